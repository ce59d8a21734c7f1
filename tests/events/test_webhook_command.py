"""manage.py webhook add / list / disable / test."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from events.models import WebhookEndpoint
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def webhook(*args):
    out = StringIO()
    call_command("webhook", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_signing_secret_as_its_last_line():
    """Scripts can take the secret with `| tail -1`."""
    output = webhook("add", "https://crm.example.com/hooks/leads")
    endpoint = WebhookEndpoint.objects.get()
    assert output.splitlines()[-1] == endpoint.secret
    assert endpoint.secret.startswith("whsec_")
    assert (endpoint.kind, endpoint.sends_first_click, endpoint.sends_every_click) == ("json", True, True)


def test_add_a_clay_endpoint_for_one_campaign_sends_first_clicks_by_default():
    make_campaign("wesser-recrutement.fr")
    output = webhook(
        "add",
        "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc",
        "--kind",
        "clay",
        "--campaign",
        "wesser-recrutement.fr",
        "--clay-auth",
        "secret-auth",
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.kind, endpoint.sends_first_click, endpoint.sends_every_click) == ("clay", True, False)
    assert endpoint.clay_auth == "secret-auth"
    assert list(endpoint.campaigns.values_list("name", flat=True)) == ["wesser-recrutement.fr"]
    assert f"Added endpoint #{endpoint.pk}: clay https://api.clay.com/… [link.first_click]" in output


def test_add_refuses_a_url_that_is_not_http():
    with pytest.raises(CommandError, match="must be an absolute http:// or https:// URL"):
        webhook("add", "ftp://example.com/hook")
    assert WebhookEndpoint.objects.count() == 0


def test_add_refuses_an_unknown_campaign():
    with pytest.raises(CommandError, match="No campaign named 'nope'"):
        webhook("add", "https://example.com/hook", "--campaign", "nope")


def test_list_disable_and_list_again():
    webhook("add", "https://hooks.slack.com/services/T0/B0/XYZ", "--kind", "slack")
    endpoint = WebhookEndpoint.objects.get()
    assert webhook("list") == (
        f"#{endpoint.pk} slack https://hooks.slack.com/… [link.first_click] (all campaigns) enabled\n"
    )
    assert webhook("disable", str(endpoint.pk)) == f"Endpoint #{endpoint.pk} disabled.\n"
    assert "disabled: Disabled by manage.py webhook disable" in webhook("list")
    assert "XYZ" not in webhook("list")  # Slack URLs are secrets


def test_list_without_endpoints_says_how_to_add_one():
    assert webhook("list") == "No webhook endpoint yet. Add one with: manage.py webhook add URL\n"


def test_test_sends_a_sample_event_to_the_receiver(receiver):
    webhook("add", receiver.url())
    endpoint = WebhookEndpoint.objects.get()
    output = webhook("test", str(endpoint.pk))
    assert output.startswith("Delivered: HTTP 200 in ")
    (request,) = receiver.requests
    assert request.json["data"]["email"] == "jane.doe@example.com"


def test_test_reports_a_refusal(receiver):
    webhook("add", receiver.url())
    receiver.answer(401)
    with pytest.raises(CommandError, match="Not delivered: HTTP 401 in .* ms. receiver says no"):
        webhook("test", str(WebhookEndpoint.objects.get().pk))


def test_an_unknown_id_is_an_error():
    with pytest.raises(CommandError, match="No webhook endpoint #99."):
        webhook("disable", "99")


def test_check_deploy_warns_when_payload_urls_would_be_paths(settings):
    """Without PUBLIC_BASE_URL the worker has no host for tracking_url and dashboard_url."""
    from events.checks import public_base_url_for_webhooks

    settings.PUBLIC_BASE_URL = ""
    assert [message.id for message in public_base_url_for_webhooks(None)] == ["events.W001"]
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    assert public_base_url_for_webhooks(None) == []
