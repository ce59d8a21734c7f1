"""The click figures derived off the request path: each link's counters, its clicks by country and
by device (tracker.facets), and the quarter-hour rollup.

The redirect writes only its click. The worker (`manage.py worker`) runs derive_click_figures()
every tick: it reads the clicks stored since its last pass (by id, after a watermark) and adds them
to their links' counters and country and device rows, recounts the rolled-up quarters a late click
landed in, and advances the rollup. A link whose clicks already derived changed or went away (a link
deleted, a click reclassified or moved: mark_figures_stale(); a click given its device or country
afterwards: mark_links_stale(); a burst whose earlier clicks the redirect re-marked as a scanner; a
click whose insert committed after a pass went past its id) is recounted from its clicks instead.

Exact after every pass: the counters hold every click up to the watermark, no click after it (a
recount stops at the pass's last click), and a pass's additions are written in the same transaction
that moves the watermark past their clicks, so each click is added once. A pass counts before it
locks anything and writes in one short transaction holding the ClickDerivation row (FOR UPDATE SKIP
LOCKED), if no other pass wrote since it read the row (its pass number): several workers on
PostgreSQL never write the same clicks twice, and on SQLite the database's one write lock, which the
redirect needs for every click, is held only while the figures are written, never while they are
counted.

Figures are as fresh as the last pass (a second with the default tick): `figures_as_of()` says when
that was, and the dashboard and API show it.
"""

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from links.models import Link
from tracker.classification import BURST_REASON_PREFIX
from tracker.counters import add_link_counts, count_appended_clicks, count_link_clicks, write_link_counters
from tracker.facets import add_link_facets, count_link_facets, facet_counts, write_link_facets
from tracker.models import Click, ClickDerivation, StaleClickFigure
from tracker.rollup import (
    QuarterHour,
    quarter_boundary,
    quarter_recount,
    rebuild_rollup,
    replace_quarters,
    roll_up_step,
    rolled_up_quarters,
    rollup_step,
)

DERIVATION_BATCH = 5000  # clicks (and stale figures) per pass: bounds a pass to well under a second
# SQLite: the redirect waits for the database's one write lock while a pass writes (each clicked
# link's counters row and its indexes, its country and device rows, then the commit). Under a
# steady stream the worker's rounds (WORKER_ROUND_MS apart) keep passes to a quarter second of
# clicks; this bounds the pass that works through a backlog, and with it the longest wait
# (measured in docs/BENCHMARKS.md).
SQLITE_DERIVATION_BATCH = 1000
# An id skipped by a pass (its insert not yet committed, PostgreSQL) is looked for again this long;
# after that it was rolled back or deleted. Bounded by the redirect's statement timeout, far lower.
MISSING_CLICK_GRACE = 120
MISSING_RANGES_KEPT = 1000
# A full recount looks again for the ids missing among this many last ids: inserts in flight while
# it counted (a pass would have noted them; the recount replaces the pass's notes).
RECOUNT_RECENT_IDS = 10_000
LINKS_PER_STATEMENT = 1000
STATE_ID = 1


@contextmanager
def derivation_lock(wait: bool = False):
    """Hold the derivation row for a transaction and yield it, or None when another pass holds it
    (and `wait` is false)."""
    with transaction.atomic():
        derivation_state()
        yield ClickDerivation.objects.select_for_update(skip_locked=not wait).filter(pk=STATE_ID).first()


@dataclass(frozen=True)
class CountedFigures:
    """What a pass counted before taking the lock, ready to write."""

    recounted: list  # count_link_clicks() of the links recounted
    facets: list  # [(chunk of link ids, count_link_facets() of the chunk)]
    added: list  # count_appended_clicks() of the links whose new clicks are added
    added_facets: dict | None  # facet_counts() of those clicks
    quarters: tuple  # rollup.quarter_recount()
    rollup: tuple  # rollup.rollup_step()


def derive_click_figures(batch_size: int | None = None) -> int:
    """The worker's job: bring the counters, the country and device rows, the forwarding evidence
    and the rollup up to date with the clicks stored and changed since the last pass (at most
    `batch_size` of each). Return how many clicks and stale figures it handled (0 when another
    worker wrote meanwhile).

    A pass reads first and writes last: it reads the clicks and stale figures to handle and counts
    every figure they touch without any lock, then takes the derivation row only to write (FOR
    UPDATE SKIP LOCKED on PostgreSQL; on SQLite that transaction holds the database's one write
    lock, which every redirect needs, so it must be short). If another pass wrote in between (the
    pass number moved on), this one writes nothing: its counts may be the older. A click stored or
    changed while a pass counts comes after what the pass read, and the next pass handles it."""
    batch_size = batch_size or (SQLITE_DERIVATION_BATCH if connection.vendor == "sqlite" else DERIVATION_BATCH)
    started = timezone.now()
    state = derivation_state()
    new_clicks = list(
        Click.objects.filter(id__gt=state.last_click_id)
        .order_by("id")
        .values_list("id", "link_id", "reason")[:batch_size]
    )
    missing = [span for span in state.missing_click_ids if time.time() - span[2] < MISSING_CLICK_GRACE]
    late_clicks = list(clicks_in_spans(missing).values_list("id", "link_id", "clicked_at")) if missing else []
    stale = list(StaleClickFigure.objects.order_by("id").values_list("id", "link_id", "quarter_start")[:batch_size])
    last_click_id = new_clicks[-1][0] if new_clicks else state.last_click_id
    if new_clicks or late_clicks:
        delete_clicks_of_deleted_links(clicks_in_spans([[state.last_click_id + 1, last_click_id, None], *missing]))

    recounted_links = {link_id for _, link_id, _ in late_clicks} | {link_id for _, link_id, _ in stale if link_id}
    # A burst re-marked its link's earlier clicks as a scanner: clicks the counters may hold as human.
    recounted_links |= {link_id for _, link_id, reason in new_clicks if reason.startswith(BURST_REASON_PREFIX)}
    quarters = {quarter_boundary(clicked_at) for *_, clicked_at in late_clicks}
    if new_clicks:  # the rolled-up quarters new clicks landed in (written late, with their time)
        quarters |= rolled_up_quarters(Click.objects.filter(id__gt=state.last_click_id, id__lte=last_click_id))
    quarters |= {quarter for *_, quarter in stale if quarter}
    counted = count_figures(sorted(recounted_links), state.last_click_id, last_click_id, quarters, started)

    with derivation_lock() as locked:
        if locked is None or locked.pass_number != state.pass_number:
            return 0
        write_figures(counted)
        if stale:
            StaleClickFigure.objects.filter(id__in=[stale_id for stale_id, *_ in stale]).delete()
        if new_clicks:
            missing += skipped_ids(state.last_click_id, [click_id for click_id, *_ in new_clicks])
            locked.last_click_id = last_click_id
        locked.missing_click_ids = without_ids(missing, {click_id for click_id, *_ in late_clicks})[
            -MISSING_RANGES_KEPT:
        ]
        if len(new_clicks) < batch_size and len(stale) < batch_size:
            locked.figures_as_of = started  # caught up: every click stored before `started` is counted
        locked.pass_number += 1
        locked.save()
    return len(new_clicks) + len(late_clicks) + len(stale)


def count_figures(
    recounted_links: list, after_click_id: int, last_click_id: int, quarters: set, now: datetime
) -> CountedFigures:
    """Count, without writing: every figure of `recounted_links` from their clicks up to
    `last_click_id`; what the clicks after `after_click_id` up to `last_click_id` add to the other
    links; the rolled-up `quarters`; and the quarters the rollup closes at `now`."""
    added, added_facets = [], None
    if last_click_id > after_click_id:
        appended = Click.objects.filter(id__gt=after_click_id, id__lte=last_click_id).exclude(
            link_id__in=recounted_links
        )
        added = count_appended_clicks(appended, after_click_id)
        added_facets = facet_counts(appended)
    chunks = list(chunks_of(recounted_links))
    return CountedFigures(
        recounted=[counters for chunk in chunks for counters in count_link_clicks(chunk, last_click_id)],
        facets=[(chunk, count_link_facets(chunk, last_click_id)) for chunk in chunks],
        added=added,
        added_facets=added_facets,
        quarters=quarter_recount(quarters),
        rollup=rollup_step(now),
    )


def write_figures(counted: CountedFigures) -> None:
    """Write what count_figures() counted; the caller holds the derivation lock and has checked
    that no pass wrote since the counts were taken (the additions go to counters that hold every
    click up to the watermark the counts started from)."""
    write_link_counters(counted.recounted)
    add_link_counts(counted.added)
    for chunk, facets in counted.facets:
        write_link_facets(chunk, facets)
    if counted.added_facets:
        add_link_facets(counted.added_facets)
    replace_quarters(counted.quarters)
    roll_up_step(counted.rollup)


def delete_clicks_of_deleted_links(clicks: QuerySet) -> None:
    """Delete those of `clicks` whose link no longer exists, before they are counted (one SELECT
    with an anti-join; nothing else unless there are some). The clicks table has no foreign key
    constraint (tracker.models.Click.link): a redirect that read its link just before the link was
    deleted stores its click just after Django's cascade deleted the link's clicks. Such a click was
    never counted, so no figure changes."""
    clicks.filter(~Exists(Link.objects.filter(pk=OuterRef("link_id")))).delete()


def derivation_state() -> ClickDerivation:
    """The derivation row as it stands (created on first use: a flushed database derives from scratch)."""
    state = ClickDerivation.objects.filter(pk=STATE_ID).first()
    if state is None:
        try:
            with transaction.atomic():
                state = ClickDerivation.objects.create(pk=STATE_ID)
        except IntegrityError:
            state = ClickDerivation.objects.get(pk=STATE_ID)  # another pass created it
    return state


def recount_click_figures(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every derived figure from the clicks: every link's counters and its country and device
    rows, the whole rollup, and the watermark at the last click; waits for a running pass. `progress(n)` is called with the links
    recounted so far, batch by batch. Return how many links were recounted. For recovery
    (`manage.py recount_clicks`) and after bulk loads that wrote clicks by other means."""
    from links.models import Link

    started = timezone.now()
    with derivation_lock(wait=True) as state:
        last_click_id = Click.objects.aggregate(last=Max("id"))["last"] or 0
        link_ids = list(Link.objects.order_by("id").values_list("id", flat=True))
        recount_link_figures(link_ids, last_click_id, progress)
        rebuild_rollup(started)
        StaleClickFigure.objects.all().delete()
        state.last_click_id = last_click_id
        recent_start = max(0, last_click_id - RECOUNT_RECENT_IDS)
        recent_ids = Click.objects.filter(id__gt=recent_start, id__lte=last_click_id).order_by("id")
        state.missing_click_ids = skipped_ids(recent_start, list(recent_ids.values_list("id", flat=True)))[
            -MISSING_RANGES_KEPT:
        ]
        state.figures_as_of = started
        state.pass_number += 1
        state.save()
    return len(link_ids)


def recount_links(link_ids: Iterable[int]) -> int:
    """Recount the counters, forwarding evidence and country and device rows of `link_ids` now, up
    to the watermark (waits for a running pass); return how many links. For maintenance commands
    (forwarding settings changed); the worker recounts changed links by itself."""
    link_ids = sorted(set(link_ids))
    with derivation_lock(wait=True) as state:
        recount_link_figures(link_ids, state.last_click_id)
        state.pass_number += 1  # a pass that counted before this recount writes nothing
        state.save()
    return len(link_ids)


def recount_link_figures(link_ids: list, up_to_click_id: int, progress: Callable[[int], None] | None = None):
    """Recount and store the counters, forwarding evidence and country and device rows of
    `link_ids` from their clicks up to `up_to_click_id`, a chunk at a time (`progress(n)` after
    each). The caller holds the derivation lock."""
    for chunk in chunks_of(link_ids):
        write_link_counters(count_link_clicks(chunk, up_to_click_id))
        write_link_facets(chunk, count_link_facets(chunk, up_to_click_id))
        if progress:
            progress(len(chunk))


def chunks_of(link_ids: list):
    """`link_ids` in chunks of LINKS_PER_STATEMENT, the most one statement lists."""
    for start in range(0, len(link_ids), LINKS_PER_STATEMENT):
        yield link_ids[start : start + LINKS_PER_STATEMENT]


def mark_figures_stale(clicks: QuerySet) -> None:
    """Note that `clicks` (already derived, perhaps) are about to change or go away: their links'
    counters and their rolled-up quarters are recounted on the next pass. Call it in the same
    transaction as the change, before it (and after it too when clicks move in time)."""
    links = clicks.order_by().values("link_id").distinct()
    quarters = clicks.order_by().values(quarter=QuarterHour("clicked_at")).distinct()
    table = StaleClickFigure._meta.db_table
    with connection.cursor() as cursor:
        for column, select in (("link_id", links), ("quarter_start", quarters)):
            sql, params = select.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} ({column}) {sql}", params)


def mark_links_stale(link_ids: Iterable[int]) -> None:
    """Note that clicks of `link_ids` were given a device or a country after they were derived (the
    describe job): the links' figures are recounted on the next pass, under its lock, so that a
    pass running meanwhile never writes the same rows."""
    StaleClickFigure.objects.bulk_create(StaleClickFigure(link_id=link_id) for link_id in sorted(set(link_ids)))


def figures_as_of() -> datetime | None:
    """When the last pass that caught up started: every click stored before it is in the counters
    (None when no pass ever ran)."""
    return ClickDerivation.objects.filter(pk=STATE_ID).values_list("figures_as_of", flat=True).first()


def derivation_lag() -> tuple[int, datetime | None]:
    """(clicks stored after the last derived one, when the figures were last caught up)."""
    state = ClickDerivation.objects.filter(pk=STATE_ID).values_list("last_click_id", "figures_as_of").first()
    last_click_id, as_of = state or (0, None)
    return Click.objects.filter(id__gt=last_click_id).count(), as_of


def clicks_in_spans(spans: Iterable) -> QuerySet:
    """The clicks whose id lies in one of the [first, last, since] spans."""
    condition = Q()
    for first, last, _ in spans:
        condition |= Q(id__gte=first, id__lte=last)
    return Click.objects.filter(condition)


def skipped_ids(last_seen: int, new_ids: list[int]) -> list[list]:
    """The [first, last, now] spans of ids between `last_seen` and the sorted `new_ids` that were
    not there: inserts still in flight (or rolled back, or deleted)."""
    spans, previous, now = [], last_seen, time.time()
    for click_id in new_ids:
        if click_id > previous + 1:
            spans.append([previous + 1, click_id - 1, now])
        previous = click_id
    return spans


def without_ids(spans: list[list], found: set[int]) -> list[list]:
    """`spans` with the `found` ids cut out."""
    remaining = []
    for first, last, since in spans:
        start = first
        for click_id in sorted(click_id for click_id in found if first <= click_id <= last):
            if click_id > start:
                remaining.append([start, click_id - 1, since])
            start = click_id + 1
        if start <= last:
            remaining.append([start, last, since])
    return remaining
