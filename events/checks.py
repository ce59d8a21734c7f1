"""System checks of hot-lead alerts."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def public_base_url_for_webhooks(app_configs, **kwargs):
    """Webhook payloads carry tracking and dashboard URLs; without PUBLIC_BASE_URL they are paths
    (the worker has no request to take a host from)."""
    if settings.PUBLIC_BASE_URL:
        return []
    return [
        Warning(
            "PUBLIC_BASE_URL is empty: webhook payloads carry tracking_url and dashboard_url as paths.",
            hint="Set PUBLIC_BASE_URL to the public address of this server, e.g. https://go.example.com.",
            id="events.W001",
        )
    ]
