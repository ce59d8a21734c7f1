"""Root URLconf. Every route here is either on tests/tracker/test_access.py's public allow-list
or refuses anonymous users."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from linktracker import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard"), name="home"),
    path("api/", include("links.urls")),
    path("api/", include("analytics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    path("dashboard/", include("analytics.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler404 = "linktracker.errors.page_not_found"
handler500 = "linktracker.errors.server_error"
