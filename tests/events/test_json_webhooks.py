"""Signed JSON webhooks (Standard Webhooks) delivered to a real HTTP receiver: signature, retries,
backoff, Retry-After, no retry on 4xx, auto-disable."""

import datetime

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from events.delivery import MAX_ATTEMPTS, retry_delay_seconds
from events.jobs import find_hot_leads
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, WebhookEndpoint
from tests.events.conftest import let_time_pass, make_endpoint, run_queued_tasks, settled_time
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


def test_a_first_human_click_arrives_signed_with_the_prospects_data(receiver, settings):
    """The body verifies with the endpoint's secret and carries the flat data of the event."""
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    endpoint = make_endpoint(receiver.url())
    link = make_link(email="jane@acme.com", first_name="Jane", last_name="Doe", icp=None, channel="email")
    clicked_at = settled_time().replace(microsecond=0)
    make_click(link, clicked_at=clicked_at)

    assert find_hot_leads() == 1
    assert run_queued_tasks() == ["delivered"]

    (request,) = receiver.requests
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    event = Event.objects.get()
    when = clicked_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    assert request.headers["webhook-id"] == event.event_id
    assert payload["type"] == "link.first_click"
    assert payload["data"] == {
        "event_id": event.event_id,
        "event": "link.first_click",
        "occurred_at": when,
        "token": link.token,
        "tracking_url": f"https://go.example.com/t/{link.token}",
        "email": "jane@acme.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "icp": "Non défini",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://example.com/offer",
        "channel": "email",
        "sent_at": None,
        "human_clicks": 1,
        "first_click_at": when,
        "last_click_at": when,
        "verdict": "human",
        "dashboard_url": "https://go.example.com/dashboard/?campaign=wesser-recrutement.fr&search=jane%40acme.com",
    }
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_signature_made_with_another_secret_does_not_verify(receiver):
    """Receivers can tell our deliveries from forgeries."""
    make_endpoint(receiver.url())
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    (request,) = receiver.requests
    with pytest.raises(Exception, match="No matching signature found"):
        Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)


def test_a_retry_after_a_500_delivers_the_same_event_id(receiver):
    """At least once: the receiver dedups on webhook-id / event_id, the same on every attempt."""
    endpoint = make_endpoint(receiver.url())
    receiver.answer(500)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()

    assert run_queued_tasks() == ["pending"]
    delivery = Delivery.objects.get()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 10 < wait <= 15  # the first retry comes within 30 s
    let_time_pass()
    assert run_queued_tasks() == ["delivered"]

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == Event.objects.get().event_id
    assert first.json["data"] == second.json["data"]
    Webhook(endpoint.secret).verify(second.body, second.headers)
    assert list(DeliveryAttempt.objects.order_by("id").values_list("status_code", flat=True)) == [500, 200]
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_a_400_is_not_retried(receiver):
    """A receiver that refuses the request will refuse it again: one attempt, then failed."""
    make_endpoint(receiver.url())
    receiver.answer(400)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert run_queued_tasks() == ["failed"]
    let_time_pass()
    assert run_queued_tasks() == []
    assert len(receiver.requests) == 1
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status_code, attempt.response_excerpt) == (400, "receiver says no")


def test_a_429_retry_after_is_honoured(receiver):
    """Retry-After: 120 puts the next attempt two minutes later, not at the backoff's 15 s."""
    make_endpoint(receiver.url())
    receiver.answer(429, {"Retry-After": "120"})
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert run_queued_tasks() == ["pending"]
    wait = (Delivery.objects.get().next_attempt_at - timezone.now()).total_seconds()
    assert 115 < wait <= 120


def test_the_backoff_grows_from_15_seconds_to_about_a_day():
    """15 s, 1 min, 4 min, 16 min, 64 min, 4 h 16 min, then 6 h: ten attempts over about 24 h."""
    delays = [retry_delay_seconds(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert delays == [15, 60, 240, 960, 3840, 15360, 21600, 21600, 21600]
    assert 22 * 3600 < sum(delays) < 26 * 3600


def test_a_delivery_gives_up_after_its_last_attempt(receiver):
    """Ten attempts on 503, then the delivery is failed."""
    make_endpoint(receiver.url())
    receiver.answer(503, times=MAX_ATTEMPTS)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    outcomes = []
    for _ in range(MAX_ATTEMPTS + 1):
        outcomes += run_queued_tasks()
        let_time_pass()
    assert outcomes == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert Delivery.objects.get().attempts == MAX_ATTEMPTS


def test_an_endpoint_is_disabled_after_20_failures_in_a_row_and_the_dashboard_says_so(receiver, client, operator):
    """20 consecutive failed attempts disable the endpoint; its other deliveries are skipped."""
    endpoint = make_endpoint(receiver.url())
    receiver.answer(400, times=25)
    for number in range(21):
        make_click(make_link(email=f"p{number}@acme.com"), clicked_at=settled_time())
    find_hot_leads()
    outcomes = run_queued_tasks()
    assert outcomes == ["failed"] * 20 + ["skipped"]
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.consecutive_failures) == (False, 20)
    assert endpoint.disabled_reason == "Disabled after 20 failed deliveries in a row (last: 400)"
    assert len(receiver.requests) == 20

    client.force_login(operator)
    page = client.get("/dashboard/").content.decode()
    assert f"webhook #{endpoint.pk} (Signed JSON (Standard Webhooks)) was disabled." in page


def test_a_hanging_receiver_times_out_without_holding_up_other_endpoints(receiver, settings):
    """Each delivery is its own task with a timeout: the slow endpoint is retried later, the
    other one is delivered."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    make_endpoint(receiver.url("/slow"))
    make_endpoint(receiver.url("/fast"))
    receiver.answer(200, delay=3)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert sorted(run_queued_tasks()) == ["delivered", "pending"]
    slow = DeliveryAttempt.objects.get(delivery__endpoint__url__endswith="/slow")
    assert (slow.status_code, slow.error) == (None, "No answer within 1 s")


def test_an_unreachable_receiver_is_retried_and_its_url_is_not_logged(db):
    """A refused connection is a network error worth retrying; the log names its kind, not the URL."""
    make_endpoint("http://127.0.0.1:9/services/T000/B000/SECRETPATH")
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert run_queued_tasks() == ["pending"]
    attempt = DeliveryAttempt.objects.get()
    assert attempt.error == "Network error: ConnectionError"
    assert "SECRETPATH" not in attempt.error + attempt.response_excerpt
