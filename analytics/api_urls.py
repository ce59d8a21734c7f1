"""The stats API, included under /api/ by the root URLconf."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from analytics import api, export

router = SimpleRouter()
router.register("stats", api.StatsViewSet, basename="stats")  # stats-overview, stats-funnel, ...

icp_stats = api.IcpStatsViewSet.as_view({"get": "list"})

urlpatterns = [
    # Documented without a trailing slash. Every /api/ route also answers the
    # other spelling, with no redirect (linktracker.middleware.ApiTrailingSlashMiddleware).
    path("icp-stats", icp_stats, name="icp-stats"),
    path("campaigns/", api.CampaignViewSet.as_view({"get": "list"}), name="campaigns"),
    path("export.csv", export.export_links_csv, name="export-csv"),
    *router.urls,
]
