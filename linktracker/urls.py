"""Root URLconf. Every route here is either on tests/tracker/test_access.py's public allow-list
or refuses anonymous users."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from linktracker import views
from tracker.team_browser import team_browser

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard"), name="home"),
    path("api/", include("links.urls")),
    path("api/", include("analytics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    path("dashboard/", include("analytics.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("team-browser/", team_browser, name="team-browser"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the page's language switch
]

handler400 = "linktracker.errors.bad_request"
handler403 = "linktracker.errors.permission_denied"
handler404 = "linktracker.errors.page_not_found"
handler500 = "linktracker.errors.server_error"
