"""Slack (with digests), Microsoft Teams and Clay receivers get their own formats."""

import datetime

import pytest
from django.utils import timezone

from events.jobs import find_hot_leads
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint
from tests.events.conftest import let_time_pass, make_endpoint, run_queued_tasks, settled_time
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


def test_a_slack_alert_says_who_clicked_with_a_link_to_the_dashboard(receiver, settings):
    """text (the notification) plus blocks; the time in TIME_ZONE; the prospect's name escaped."""
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    settings.TIME_ZONE = "Europe/Paris"
    make_endpoint(receiver.url(), kind="slack")
    make_click(
        make_link(first_name="Jane <b>", last_name="Doe", email="jane@acme.com"),
        clicked_at=settled_time().replace(year=2026, month=11, day=24, hour=9, minute=30),
    )
    find_hot_leads()
    assert run_queued_tasks() == ["delivered"]
    message = receiver.requests[0].json
    assert message["text"] == "Hot lead: Jane <b> Doe (CEO, wesser-recrutement.fr) clicked for the first time"
    assert message["blocks"][0]["text"]["text"] == (
        "*Jane &lt;b&gt; Doe (CEO, wesser-recrutement.fr) clicked for the first time* · jane@acme.com"
        " · 2026-11-24 10:30 CET · <https://go.example.com/dashboard/?campaign=wesser-recrutement.fr"
        "&search=jane%40acme.com|Open in the dashboard>"
    )


def test_a_burst_of_slack_alerts_becomes_one_digest(receiver):
    """Three hot leads at once go to one Slack URL as one message, not three in a second."""
    make_endpoint(receiver.url(), kind="slack")
    for name in ("Ann", "Bob", "Cid"):
        make_click(make_link(first_name=name, email=f"{name}@acme.com"), clicked_at=settled_time())
    find_hot_leads()
    assert run_queued_tasks() == ["delivered", "busy", "busy"]
    (request,) = receiver.requests
    message = request.json
    assert message["text"] == "3 hot leads"
    lines = message["blocks"][1]["text"]["text"].split("\n")
    assert [line.split(" (")[0] for line in lines] == ["*Ann Doe", "*Bob Doe", "*Cid Doe"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_slack_alerts_less_than_a_second_apart_wait_and_go_together(receiver):
    """After a message, the next alerts to that URL wait for the second to pass, then go as one digest."""
    make_endpoint(receiver.url(), kind="slack")
    make_click(make_link(email="a@acme.com"), clicked_at=settled_time(20))
    find_hot_leads()
    assert run_queued_tasks() == ["delivered"]
    make_click(make_link(email="b@acme.com"), clicked_at=settled_time(10))
    make_click(make_link(email="c@acme.com"), clicked_at=settled_time(10))
    find_hot_leads()
    WebhookEndpoint.objects.update(last_attempt_at=timezone.now())  # the first message went out just now
    assert run_queued_tasks() == ["paced", "paced"]
    let_time_pass()
    assert run_queued_tasks() == ["delivered", "busy"]
    assert [r.json["text"] for r in receiver.requests][1] == "2 hot leads"


def test_a_teams_workflow_gets_an_adaptive_card(receiver):
    make_endpoint(receiver.url(), kind="teams")
    make_click(make_link(email="jane@acme.com", first_name="Jane"), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    message = receiver.requests[0].json
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "Jane Doe (CEO, wesser-recrutement.fr) clicked for the first time"
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert (facts["E-mail"], facts["ICP"], facts["Human clicks"]) == ("jane@acme.com", "CEO", "1")
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_clay_gets_the_fields_flat_with_its_auth_header(receiver):
    """Clay maps top-level keys to columns: no envelope; x-clay-webhook-auth when configured."""
    make_endpoint(receiver.url(), kind="clay", clay_auth="clay-token-123")
    make_click(make_link(email="jane@acme.com"), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    (request,) = receiver.requests
    assert request.headers["x-clay-webhook-auth"] == "clay-token-123"
    assert "webhook-signature" not in request.headers
    body = request.json
    assert (body["event"], body["email"], body["human_clicks"]) == ("link.first_click", "jane@acme.com", 1)


def test_clay_gets_at_most_ten_events_a_second(receiver):
    """Eleven hot leads at once: never more than ten attempts start within one second; the
    eleventh waits for the second to pass (on a slow machine the second may pass by itself)."""
    make_endpoint(receiver.url(), kind="clay")
    for number in range(11):
        make_click(make_link(email=f"p{number}@acme.com"), clicked_at=settled_time())
    find_hot_leads()
    outcomes = run_queued_tasks()
    assert outcomes[:10] == ["delivered"] * 10
    if outcomes[10:] == ["paced"]:
        assert len(receiver.requests) == 10
        let_time_pass()
        assert run_queued_tasks() == ["delivered"]
    else:  # the ten took over a second here: the eleventh went, still in no window of more than ten
        starts = sorted(DeliveryAttempt.objects.values_list("attempted_at", flat=True))
        for start in starts:
            in_window = [other for other in starts if start - datetime.timedelta(seconds=1) < other <= start]
            assert len(in_window) <= 10
    assert len(receiver.requests) == 11
