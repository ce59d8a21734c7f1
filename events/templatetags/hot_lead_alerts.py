"""Template tags of hot-lead alerts, for pages of other apps (the dashboard's banner)."""

from django import template

from events.models import WebhookEndpoint

register = template.Library()


@register.simple_tag
def disabled_webhook_endpoints():
    """Return the endpoints disabled after repeated failures (not the ones switched off by hand)."""
    return list(WebhookEndpoint.objects.filter(enabled=False, consecutive_failures__gt=0).order_by("id"))
