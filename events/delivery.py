"""Delivering events to endpoints: one HTTP POST per attempt, never on the redirect's path.

At least once: a delivery is claimed (PENDING -> SENDING) by one attempt, sent, and then either
DELIVERED, scheduled again (network errors, 5xx, 429: exponential backoff over about a day,
Retry-After honoured) or FAILED (any other answer). An attempt that dies midway leaves the
delivery SENDING; events.jobs.resume_lost_deliveries sends it again later. Slack endpoints get
the due deliveries of one endpoint in one digest message; Slack and Clay endpoints are paced.
"""

import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    RESPONSE_EXCERPT_LENGTH,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Kind,
    WebhookEndpoint,
)
from events.payloads import request_for, sample_event_data

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 15
BACKOFF_FACTOR = 4
LONGEST_WAIT_SECONDS = 6 * 3600
# 15 s, 1 min, 4 min, 16 min, 64 min, 4 h 16 min, then 6 h three times: about 24 h in all.
MAX_ATTEMPTS = 10
MAX_RETRY_AFTER_SECONDS = LONGEST_WAIT_SECONDS
# Attempts per second and endpoint: Slack accepts about one message a second per incoming
# webhook (more become a digest), Clay's webhook sources about ten records a second.
ATTEMPTS_PER_SECOND = {Kind.SLACK: 1, Kind.CLAY: 10}
SLACK_DIGEST_MAX_EVENTS = 100


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str
    retry_after_seconds: int | None

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def worth_retrying(self):
        """Network errors, timeouts, 5xx and 429 may pass later; any other answer will not."""
        return self.status_code is None or self.status_code >= 500 or self.status_code == 429


def retry_delay_seconds(attempts_made: int, retry_after: int | None = None) -> int:
    """Return how long to wait before the next attempt, after `attempts_made` attempts: the
    receiver's Retry-After when it gave one (bounded), else 15 s x 4^(n-1), at most 6 h."""
    if retry_after is not None:
        return max(1, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return min(FIRST_RETRY_SECONDS * BACKOFF_FACTOR ** (attempts_made - 1), LONGEST_WAIT_SECONDS)


def post(endpoint: WebhookEndpoint, events_data: list[dict]) -> Outcome:
    """POST `events_data` to the endpoint and return what happened. Never raises for the
    receiver's faults; never logs the URL (Slack, Teams and Clay URLs are secrets) or headers."""
    body, headers = request_for(endpoint, events_data, timezone.now())
    started = time.monotonic()
    try:
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.Timeout:
        error = _("No answer within %(seconds)d s") % {"seconds": settings.WEBHOOK_TIMEOUT_SECONDS}
        return Outcome(None, elapsed_ms(started), "", error, None)
    except requests.RequestException as exc:
        # The exception's text names the URL: keep its kind only.
        return Outcome(None, elapsed_ms(started), "", _("Network error: %(kind)s") % {"kind": type(exc).__name__}, None)
    excerpt = response.text[:RESPONSE_EXCERPT_LENGTH] if response.content else ""
    return Outcome(
        response.status_code, elapsed_ms(started), excerpt, "", retry_after_seconds(response.headers.get("Retry-After"))
    )


def send_test_event(endpoint: WebhookEndpoint) -> Outcome:
    """POST a made-up link.first_click (payloads.sample_event_data()) to `endpoint` now, outside
    the queue and the delivery log, and return what happened: the operator's check that a
    receiver takes our requests (`manage.py webhook test`, the admin's action)."""
    return post(endpoint, [sample_event_data()])


def outcome_summary(outcome: Outcome) -> str:
    """One sentence for the operator: delivered, or not and why (status or error, the answer's start)."""
    if outcome.succeeded:
        return _("Delivered: HTTP %(status)d in %(ms)d ms.") % {
            "status": outcome.status_code,
            "ms": outcome.duration_ms,
        }
    answer = f"HTTP {outcome.status_code}" if outcome.status_code else outcome.error
    return _("Not delivered: %(answer)s in %(ms)d ms. %(excerpt)s") % {
        "answer": answer,
        "ms": outcome.duration_ms,
        "excerpt": outcome.response_excerpt[:200],
    }


def elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def retry_after_seconds(value: str | None) -> int | None:
    """Return a Retry-After header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0, round((moment - timezone.now()).total_seconds()))


def attempt_delivery(delivery_id: int) -> str:
    """Make one attempt at a delivery (with a Slack endpoint's other due deliveries, as a digest)
    and return what became of it: a DeliveryStatus value, "busy" (another attempt holds it or it
    is already done) or "paced" (sent again a little later to respect the endpoint's rate)."""
    from events.tasks import deliver  # the task module imports this one

    now = timezone.now()
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at > now:
        return "busy"  # done, held by another attempt, or a later task is scheduled for it
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(status=DeliveryStatus.SKIPPED)
        return DeliveryStatus.SKIPPED
    if (wait := pacing_wait(endpoint, now)) is not None:
        deliver.using(run_after=now + wait).enqueue(delivery_id)
        return "paced"

    claim = uuid.uuid4().hex
    batch = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    if endpoint.kind == Kind.SLACK:
        due = Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        ids = [delivery_id, *due.exclude(pk=delivery_id).order_by("id").values_list("id", flat=True)]
        batch = Delivery.objects.filter(pk__in=ids[:SLACK_DIGEST_MAX_EVENTS], status=DeliveryStatus.PENDING)
    if not batch.update(status=DeliveryStatus.SENDING, claim=claim, claimed_at=now):
        return "busy"
    claimed = list(Delivery.objects.filter(claim=claim).select_related("event").order_by("id"))
    if not claimed:  # an attempt that thought this one lost took it over meanwhile
        return "busy"
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_attempt_at=now)

    outcome = post(endpoint, [delivery.event.data for delivery in claimed])
    return record_outcome(endpoint, claimed, outcome, now)


def pacing_wait(endpoint: WebhookEndpoint, now: datetime.datetime) -> datetime.timedelta | None:
    """Return how long to wait before sending to this endpoint again, or None to send now."""
    per_second = ATTEMPTS_PER_SECOND.get(endpoint.kind)
    if per_second is None or endpoint.last_attempt_at is None:
        return None
    one_second_ago = now - datetime.timedelta(seconds=1)
    if endpoint.last_attempt_at <= one_second_ago:
        return None
    if per_second > 1:
        recent = DeliveryAttempt.objects.filter(delivery__endpoint=endpoint, attempted_at__gt=one_second_ago).count()
        if recent < per_second:
            return None
    return endpoint.last_attempt_at + datetime.timedelta(seconds=1) - now


def record_outcome(endpoint: WebhookEndpoint, claimed: list[Delivery], outcome: Outcome, now) -> str:
    """Log the attempt for each delivery it carried, then mark them delivered, due again or
    failed, and count the endpoint's consecutive failures (disabling it at the limit)."""
    from events.tasks import deliver

    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            response_excerpt=outcome.response_excerpt,
            error=outcome.error,
        )
        for delivery in claimed
    )
    ids = [delivery.pk for delivery in claimed]
    if outcome.succeeded:
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.DELIVERED, attempts=F("attempts") + 1)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return DeliveryStatus.DELIVERED

    disable_after_failure(endpoint, outcome)
    attempts_made = max(delivery.attempts for delivery in claimed) + 1
    if outcome.worth_retrying and attempts_made < MAX_ATTEMPTS:
        next_attempt_at = now + datetime.timedelta(
            seconds=retry_delay_seconds(attempts_made, outcome.retry_after_seconds)
        )
        with transaction.atomic():
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.PENDING, attempts=F("attempts") + 1, next_attempt_at=next_attempt_at, claim=""
            )
            for delivery_id in ids:
                deliver.using(run_after=next_attempt_at).enqueue(delivery_id)
        return DeliveryStatus.PENDING
    Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.FAILED, attempts=F("attempts") + 1)
    return DeliveryStatus.FAILED


def disable_after_failure(endpoint: WebhookEndpoint, outcome: Outcome) -> None:
    """Count one more consecutive failure; at WEBHOOK_MAX_CONSECUTIVE_FAILURES, disable the
    endpoint and say why (the dashboard shows it)."""
    limit = settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    last = outcome.status_code or outcome.error
    reason = _("Disabled after %(count)d failed deliveries in a row (last: %(last)s)") % {"count": limit, "last": last}
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True, consecutive_failures__gte=limit).update(
        enabled=False, disabled_reason=reason[:200]
    )
    if disabled:
        logger.warning("Webhook endpoint #%s disabled after %s consecutive failures", endpoint.pk, limit)
