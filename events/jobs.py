"""The worker's jobs for hot-lead events (each: no argument, one bounded batch, returns how many
items it handled, idempotent, safe with several workers at once).

- find_hot_leads: examines the settled clicks after its watermark, records the events of human
  clicks and queues their deliveries.
- resume_lost_deliveries: sends again the deliveries whose attempt died midway or whose task was lost.
- prune_delivery_log: deletes delivery attempts older than WEBHOOK_LOG_DAYS, and the results the
  task queue keeps of the delivery tasks that finished before then.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventType,
    EventWatermark,
    WebhookEndpoint,
    new_event_id,
)
from events.payloads import event_data
from tracker.models import Click, Verdict
from tracker.statements import run_many

# What event_data() reads of a click, its link and campaign, by the names it reads them under
# (events.payloads.event_data): one row per click, read as values. A thousand first clicks a pass
# build a thousand payloads; model instances of the click, link and campaign cost a third of it.
PAYLOAD_COLUMNS = {
    "token": F("link__token"),
    "email": F("link__email"),
    "first_name": F("link__first_name"),
    "last_name": F("link__last_name"),
    "icp": F("link__icp"),
    "destination_url": F("link__destination_url"),
    "channel": F("link__channel"),
    "sent_at": F("link__sent_at"),
    "campaign_id": F("link__campaign_id"),
    "campaign_name": F("link__campaign__name"),
    "tracking_domain_id": F("link__campaign__tracking_domain_id"),
}
INSERT_EVENT_SQL = (
    f"INSERT INTO {Event._meta.db_table} (event_id, type, link_id, click_id, occurred_at, data, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
BATCH_SIZE = 2000  # clicks examined per run: the worker runs it every WORKER_ROUND_MS while it finds work
LOST_AFTER = datetime.timedelta(minutes=5)  # far beyond WEBHOOK_TIMEOUT_SECONDS
PRUNE_BATCH_SIZE = 5000


def settled_before(now: datetime.datetime) -> datetime.datetime:
    """Clicks at or before this moment have their final verdict: the burst rule may re-mark a
    click as a scanner up to BURST_WINDOW_SECONDS after it (plus a second of margin)."""
    return now - datetime.timedelta(seconds=settings.BURST_WINDOW_SECONDS + 1)


class NewEvent(NamedTuple):
    """An event found by new_events(), not saved yet: what its INSERT and its deliveries need."""

    event_id: str
    type: EventType
    link_id: int
    campaign_id: int
    click_id: int
    occurred_at: datetime.datetime
    data: dict


def find_hot_leads() -> int:
    """Examine up to BATCH_SIZE settled clicks after the watermark, in id order, stopping at the
    first one not yet settled; record `link.first_click` / `link.clicked` events for the human
    ones and queue a delivery per interested endpoint. Return the number of clicks examined.

    Everything is read first, outside any transaction; only the writes hold the watermark row,
    briefly: on SQLite that row lock is the database's one write lock, which every redirect needs
    too. The watermark is compared and set in that transaction, so a second worker that read the
    same batch writes nothing (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite's IMMEDIATE transaction
    serialises writers)."""
    from events.tasks import deliver

    cutoff = settled_before(timezone.now())
    start = EventWatermark.objects.filter(pk=1).values_list("last_click_id", flat=True).first() or 0
    clicks = list(
        Click.objects.filter(id__gt=start).order_by("id").values_list("id", "clicked_at", "verdict")[:BATCH_SIZE]
    )
    settled = []
    for click_id, clicked_at, verdict in clicks:
        if clicked_at > cutoff:
            break
        settled.append((click_id, verdict))
    if not settled:
        return 0
    human_ids = [click_id for click_id, verdict in settled if verdict == Verdict.HUMAN]
    events, endpoints = new_events(human_ids) if human_ids else ([], [])
    with transaction.atomic():
        watermark = locked_watermark()
        if watermark is None or watermark.last_click_id != start:
            return 0  # another worker is on this batch, or wrote it since it was read
        deliveries = save_events(events, endpoints)
        watermark.last_click_id = settled[-1][0]
        watermark.save(update_fields=["last_click_id"])
        for delivery in deliveries:
            deliver.enqueue(delivery.pk)
    return len(settled)


def locked_watermark() -> EventWatermark | None:
    """Return the watermark row (pk 1, created on first use) locked for this transaction, or
    None when another worker holds it."""
    if not EventWatermark.objects.filter(pk=1).exists():
        EventWatermark.objects.bulk_create([EventWatermark(pk=1)], ignore_conflicts=True)
    return EventWatermark.objects.select_for_update(skip_locked=True).filter(pk=1).first()


def new_events(human_click_ids: list[int]) -> tuple[list[NewEvent], list[WebhookEndpoint]]:
    """The events of these human clicks, not saved yet (first_click when no earlier human click
    of the same link exists, read from the clicks themselves), and the enabled endpoints. Reads only:
    which clicks are first clicks is one query on the click ids; the links, campaigns and payload
    figures are read for the clicks that become events only."""
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True).prefetch_related("campaigns"))
    every_click_wanted = any(endpoint.sends_every_click for endpoint in endpoints)
    human_clicks_of_link = Click.objects.filter(link=OuterRef("link"), verdict=Verdict.HUMAN)
    batch = Click.objects.filter(id__in=human_click_ids)
    links_with_first_click = set(
        Event.objects.filter(type=EventType.FIRST_CLICK, link_id__in=batch.values("link_id")).values_list(
            "link_id", flat=True
        )
    )
    first_click_ids = set(
        batch.exclude(link_id__in=links_with_first_click)
        .filter(
            ~Exists(
                human_clicks_of_link.filter(
                    Q(clicked_at__lt=OuterRef("clicked_at"))
                    | Q(clicked_at=OuterRef("clicked_at"), id__lt=OuterRef("id"))
                )
            )
        )
        .values_list("id", flat=True)
    )
    event_click_ids = human_click_ids if every_click_wanted else first_click_ids
    if not event_click_ids:
        return [], endpoints
    clicks = (
        Click.objects.filter(id__in=event_click_ids)
        .annotate(
            **PAYLOAD_COLUMNS,
            human_clicks_so_far=Subquery(
                human_clicks_of_link.filter(clicked_at__lte=OuterRef("clicked_at"))
                .order_by()
                .values("link")
                .annotate(count=Count("id"))
                .values("count")
            ),
            first_human_click_at=Subquery(human_clicks_of_link.order_by("clicked_at", "id").values("clicked_at")[:1]),
        )
        .order_by("id")
        .values_list(
            "id",
            "link_id",
            "clicked_at",
            "verdict",
            *PAYLOAD_COLUMNS,
            "human_clicks_so_far",
            "first_human_click_at",
            named=True,
        )
    )
    events = []
    for click in clicks:
        types = []
        # The hot lead is recorded even with no endpoint yet: it stays the link's one first click.
        if click.id in first_click_ids and click.link_id not in links_with_first_click:
            types.append(EventType.FIRST_CLICK)
            links_with_first_click.add(click.link_id)
        if every_click_wanted:
            types.append(EventType.CLICKED)
        for event_type in types:
            event_id = new_event_id()
            data = event_data(event_id=event_id, event_type=event_type.value, click=click)
            events.append(
                NewEvent(event_id, event_type, click.link_id, click.campaign_id, click.id, click.clicked_at, data)
            )
    return events, endpoints


def save_events(events: list[NewEvent], endpoints: list[WebhookEndpoint]) -> list[Delivery]:
    """Save new_events()'s events and a delivery of each to every endpoint that wants it; return
    the deliveries. The events' ids are read back only when a delivery needs them."""
    insert_events(events)
    wanted = [(event, endpoint) for event in events for endpoint in endpoints if wants(endpoint, event)]
    if not wanted:
        return []
    ids = dict(Event.objects.filter(event_id__in={event.event_id for event, _ in wanted}).values_list("event_id", "id"))
    now = timezone.now()
    return Delivery.objects.bulk_create(
        Delivery(event_id=ids[event.event_id], endpoint=endpoint, next_attempt_at=now) for event, endpoint in wanted
    )


def insert_events(events: list[NewEvent]) -> None:
    """Insert `events`: one INSERT run for every event (tracker.statements.run_many). Django's
    bulk_create prepares each field of each object in Python: when most clicks of a pass were first
    clicks, that was a third of the pass's processor time."""
    adapt_time = connection.ops.adapt_datetimefield_value
    data = Event._meta.get_field("data")
    created_at = adapt_time(timezone.now())
    run_many(
        INSERT_EVENT_SQL,
        [
            (
                event.event_id,
                str(event.type),  # the value: a driver may write an Enum member's name
                event.link_id,
                event.click_id,
                adapt_time(event.occurred_at),
                data.get_db_prep_save(event.data, connection),
                created_at,
            )
            for event in events
        ],
    )


def wants(endpoint: WebhookEndpoint, event: NewEvent) -> bool:
    """Whether the endpoint receives this event: its type, and its campaigns (none = all)."""
    if event.type not in endpoint.event_types:
        return False
    campaigns = endpoint.campaigns.all()  # prefetched
    return not campaigns or any(campaign.pk == event.campaign_id for campaign in campaigns)


def resume_lost_deliveries() -> int:
    """Queue again the deliveries left SENDING by an attempt that died, or PENDING long past
    their time (a lost task). Return how many were queued."""
    from events.tasks import deliver

    now = timezone.now()
    lost = Delivery.objects.filter(
        Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - LOST_AFTER)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - LOST_AFTER)
    )
    ids = list(lost.order_by("id").values_list("id", flat=True)[:BATCH_SIZE])
    if not ids:
        return 0
    with transaction.atomic():
        resumed = list(lost.filter(pk__in=ids).values_list("id", flat=True))
        lost.filter(pk__in=resumed).update(status=DeliveryStatus.PENDING, claim="", next_attempt_at=now)
        for delivery_id in resumed:
            deliver.enqueue(delivery_id)
    return len(resumed)


def prune_delivery_log() -> int:
    """Delete up to PRUNE_BATCH_SIZE delivery attempts older than WEBHOOK_LOG_DAYS, the finished
    deliveries and events left without any, and up to PRUNE_BATCH_SIZE results of tasks that
    finished before then; return the number of attempts and task results deleted."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.WEBHOOK_LOG_DAYS)
    ids = list(DeliveryAttempt.objects.filter(attempted_at__lt=cutoff).values_list("id", flat=True)[:PRUNE_BATCH_SIZE])
    if ids:
        DeliveryAttempt.objects.filter(pk__in=ids).delete()
    finished = [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED]
    Delivery.objects.filter(status__in=finished, created_at__lt=cutoff, log__isnull=True).delete()
    return len(ids) + prune_task_results(cutoff)


def prune_task_results(cutoff: datetime.datetime) -> int:
    """Delete up to PRUNE_BATCH_SIZE results of tasks that finished before `cutoff`; return how
    many. The database task queue (django-tasks-db) keeps a row for every task it ran, one per
    delivery attempt, which the delivery log already records."""
    ids = list(
        DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).values_list("id", flat=True)[:PRUNE_BATCH_SIZE]
    )
    if ids:
        DBTaskResult.objects.filter(pk__in=ids).delete()
    return len(ids)
