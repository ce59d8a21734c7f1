"""The stats API, included under /api/ by the root URLconf."""
from django.urls import path

from analytics import api, export

icp_stats = api.IcpStatsView.as_view()

urlpatterns = [
    # The seed's URL has no trailing slash; both spellings answer, neither redirects.
    path("icp-stats", icp_stats, name="icp-stats"),
    path("icp-stats/", icp_stats),
    path("stats/overview/", api.OverviewView.as_view(), name="stats-overview"),
    path("stats/funnel/", api.FunnelView.as_view(), name="stats-funnel"),
    path("stats/icp-metrics/", api.IcpMetricsView.as_view(), name="stats-icp-metrics"),
    path("stats/heatmap/", api.HeatmapView.as_view(), name="stats-heatmap"),
    path("stats/timeline/", api.TimelineView.as_view(), name="stats-timeline"),
    path("stats/top-clickers/", api.TopClickersView.as_view(), name="stats-top-clickers"),
    path("campaigns/", api.CampaignsView.as_view(), name="campaigns"),
    path("export.csv", export.export_links_csv, name="export-csv"),
]
