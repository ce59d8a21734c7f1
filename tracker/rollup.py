"""All-time clicks per UTC quarter hour without counting a million clicks on every read.

Closed quarter hours are rolled up into ClickQuarterCount (one row per quarter and verdict), up to a
watermark (RollupWatermark, a quarter boundary). A figure over all time is then the rollup's rows
before the watermark plus the raw clicks after it: a few minutes' worth.

Only the worker writes the rollup (tracker.derivation, under its lock): it advances the watermark to
the last quarter boundary at least ROLLUP_DELAY old, and recounts a closed quarter when one of its
clicks arrives late, changes or goes away. Readers never write it.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Func, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker.models import Click, ClickQuarterCount, RollupWatermark, Verdict
from tracker.statements import run_many

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
QUARTER_SECONDS = 15 * 60
QUARTER = timedelta(seconds=QUARTER_SECONDS)
# Clicks younger than this stay raw: the redirect's inserts never land before the watermark.
ROLLUP_DELAY = timedelta(minutes=5)
QUARTERS_PER_STATEMENT = 200


class QuarterHour(Func):
    """The start of a time's UTC quarter hour, in SQL (Django's Extract/Trunc in a time zone call a
    Python function per row on SQLite). Every real time zone is a whole number of quarter hours
    from UTC (+5:30, +5:45...), so a UTC quarter hour lies in exactly one local hour and day."""

    arity = 1
    output_field = DateTimeField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Seconds cut off first: SQLite rounds 18:29:59.9999 to the millisecond, i.e. to 18:30.
        return self.as_sql(
            compiler,
            connection,
            template="datetime(unixepoch(substr(%(expressions)s, 1, 19)) / 900 * 900, 'unixepoch')",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        # date_bin, not EXTRACT(EPOCH ...): numeric arithmetic on every row costs twice the time.
        return self.as_sql(
            compiler,
            connection,
            template="date_bin('15 minutes', %(expressions)s, TIMESTAMPTZ '1970-01-01 00:00:00+00')",
            **extra_context,
        )


def quarter_boundary(moment):
    """The start of `moment`'s UTC quarter hour."""
    seconds = int((moment - EPOCH).total_seconds()) // QUARTER_SECONDS * QUARTER_SECONDS
    return EPOCH + timedelta(seconds=seconds)


def rolled_up_until():
    """The watermark: every click before it is in the rollup (the epoch when nothing is)."""
    return RollupWatermark.objects.filter(pk=1).values_list("rolled_up_until", flat=True).first() or EPOCH


def watermark_in_sql():
    """The watermark as a subquery, so that a figure reads it in the same statement as the rows."""
    watermark = RollupWatermark.objects.filter(pk=1).values("rolled_up_until")
    return Coalesce(Subquery(watermark), Value(EPOCH), output_field=DateTimeField())


def advance_rollup(now=None):
    """Roll up the clicks of the quarters closed at least ROLLUP_DELAY before `now` (default: now)
    and return the new watermark: rollup_step() then roll_up_step(). The caller holds the
    derivation lock (tracker.derivation)."""
    return roll_up_step(rollup_step(now))


def rollup_step(now=None):
    """Read what advancing the rollup at `now` writes: (watermark read, new watermark, [(quarter,
    verdict, clicks)]), the counts of the newly closed quarters. A read: the worker runs it before it
    takes the write lock. No lock on the clicks: a click that lands below the new watermark after this
    read (one written late, with its original time) is found by the worker's next pass, which
    recounts its quarter."""
    target = quarter_boundary((now or timezone.now()) - ROLLUP_DELAY)
    watermark = rolled_up_until()
    if watermark >= target:
        return watermark, watermark, []
    return watermark, target, _quarter_counts(Q(clicked_at__gte=watermark, clicked_at__lt=target))


def roll_up_step(step):
    """Write a rollup_step(): its counts and the new watermark; return the watermark. The caller holds
    the derivation lock, under which the watermark read by the step is still the current one."""
    watermark, target, counts = step
    if target > watermark:
        _insert_quarter_counts(counts)
        RollupWatermark.objects.update_or_create(pk=1, defaults={"rolled_up_until": target})
    return target


def recount_quarters(quarters):
    """Recount the rolled-up quarters among `quarters` (UTC quarter starts) from their clicks;
    return how many were recounted. The caller holds the derivation lock."""
    return replace_quarters(quarter_recount(quarters))


def quarter_recount(quarters):
    """Read the recount of the rolled-up quarters among `quarters` (those at or after the watermark
    are read raw and need nothing): ([quarter starts], [(quarter, verdict, clicks)])."""
    watermark = rolled_up_until()
    quarters = sorted({quarter for quarter in quarters if quarter < watermark})
    counts = []
    for start in range(0, len(quarters), QUARTERS_PER_STATEMENT):
        in_chunk = Q()
        for quarter in quarters[start : start + QUARTERS_PER_STATEMENT]:
            in_chunk |= Q(clicked_at__gte=quarter, clicked_at__lt=quarter + QUARTER)
        counts += _quarter_counts(in_chunk)
    return quarters, counts


def rolled_up_quarters(clicks):
    """The rolled-up quarters (before the watermark) that `clicks` fall in, counted in SQL: a few
    rows, not a time per click."""
    return set(
        clicks.filter(clicked_at__lt=watermark_in_sql())
        .order_by()
        .annotate(quarter=QuarterHour("clicked_at"))
        .values_list("quarter", flat=True)
        .distinct()
    )


def replace_quarters(recount):
    """Write a quarter_recount(): its quarters' rows replaced by the new counts; return how many
    quarters. The caller holds the derivation lock."""
    quarters, counts = recount
    for start in range(0, len(quarters), QUARTERS_PER_STATEMENT):
        ClickQuarterCount.objects.filter(quarter_start__in=quarters[start : start + QUARTERS_PER_STATEMENT]).delete()
    _insert_quarter_counts(counts)
    return len(quarters)


def _quarter_counts(clicks):
    """[(quarter start, verdict, clicks)]: the clicks matching `clicks` (a Q over whole quarters)
    counted per quarter and verdict, one grouped read."""
    return list(
        Click.objects.filter(clicks)
        .order_by()
        .values("verdict", quarter=QuarterHour("clicked_at"))
        .annotate(clicks=Count("id"))
        .values_list("quarter", "verdict", "clicks")
    )


def _insert_quarter_counts(counts):
    adapt_time = connection.ops.adapt_datetimefield_value
    run_many(
        f"INSERT INTO {ClickQuarterCount._meta.db_table} (quarter_start, verdict, clicks) VALUES (%s, %s, %s)",
        [(adapt_time(quarter), verdict, clicks) for quarter, verdict, clicks in counts],
    )


def forget_rollup():
    """Empty the rollup and put the watermark back to the epoch: the next advance rolls up every
    click. The caller holds the derivation lock."""
    with transaction.atomic():
        ClickQuarterCount.objects.all().delete()
        RollupWatermark.objects.update_or_create(pk=1, defaults={"rolled_up_until": EPOCH})


def rebuild_rollup(now=None):
    """Recount the rollup from the clicks and return the watermark (recovery, bulk loads). The
    caller holds the derivation lock."""
    with transaction.atomic():
        forget_rollup()
        return advance_rollup(now)


def clicks_per_quarter_hour_all_time(include_bots):
    """All time: [(UTC quarter start, clicks)] for the quarters with counted clicks (human ones, or
    all with include_bots): the rollup before the watermark and the raw clicks from it, one query.
    A pure read: the worker keeps the rollup current."""
    rolled_up = ClickQuarterCount.objects.filter(quarter_start__lt=watermark_in_sql(), clicks__gt=0)
    recent = Click.objects.filter(clicked_at__gte=watermark_in_sql())
    if not include_bots:
        rolled_up = rolled_up.filter(verdict=Verdict.HUMAN)
        recent = recent.filter(verdict=Verdict.HUMAN)
    rolled_up = (
        rolled_up.order_by()
        .values("quarter_start")
        .annotate(count=Sum("clicks"))
        .values_list(
            "quarter_start",
            "count",
        )
    )
    recent = (
        recent.order_by()
        .values(quarter=QuarterHour("clicked_at"))
        .annotate(count=Count("id"))
        .values_list(
            "quarter",
            "count",
        )
    )
    return list(rolled_up.union(recent, all=True))
