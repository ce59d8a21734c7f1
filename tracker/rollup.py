"""All-time clicks per UTC quarter hour without counting a million clicks on every read.

Closed quarter hours are rolled up into ClickQuarterCount (one row per quarter and verdict), up to a
watermark (RollupWatermark, a quarter boundary). A figure over all time is then the rollup's rows
before the watermark plus the raw clicks after it: a few minutes' worth.

The reader advances the watermark to the last quarter boundary at least ROLLUP_DELAY old, by one
INSERT ... SELECT ... GROUP BY of the clicks in between, in a transaction no click insert can
interleave with (PostgreSQL: a SHARE lock on the clicks; SQLite: the IMMEDIATE transaction already
serialises writers). Triggers (migrations/0004_click_rollup.py) keep the rows exact when a click
before the watermark is inserted late, deleted or reclassified.
"""

from datetime import UTC, datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Count, DateTimeField, Func, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker.models import Click, ClickQuarterCount, RollupWatermark, Verdict

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
QUARTER_SECONDS = 15 * 60
# Clicks younger than this stay raw: the redirect's inserts never land before the watermark.
ROLLUP_DELAY = timedelta(minutes=5)
# How long a reader waits for the clicks' lock before leaving the rollup for the next one.
LOCK_TIMEOUT = "200ms"
LOCK_NOT_AVAILABLE = "55P03"


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


# The watermark this process last saw. Only a hint of when to look again: every figure reads the
# watermark itself in its own query, so a stale hint costs speed, never exactness.
_seen_watermark = None


def keep_rollup_current(now=None):
    """advance_rollup() at most once per quarter hour per process: the watermark only moves when a
    quarter boundary passes, so within a quarter the reader skips even the lookup."""
    if _seen_watermark != quarter_boundary((now or timezone.now()) - ROLLUP_DELAY):
        advance_rollup(now)


def advance_rollup(now=None):
    """Roll up the clicks of the quarters closed at least ROLLUP_DELAY before `now` (default: now)
    and return the new watermark. Idempotent: concurrent callers wait for each other and the later
    finds nothing left to roll up. On PostgreSQL a reader that cannot lock the clicks at once (a
    long transaction writing them) leaves the watermark where it is: the figure stays exact, read
    from more raw clicks, and the redirects are not queued behind the lock request."""
    global _seen_watermark
    target = quarter_boundary((now or timezone.now()) - ROLLUP_DELAY)
    try:
        with transaction.atomic():
            watermark, _ = RollupWatermark.objects.select_for_update().get_or_create(
                pk=1,
                defaults={"rolled_up_until": EPOCH},
            )
            if watermark.rolled_up_until < target:
                _lock_out_click_inserts()
                _roll_up(watermark.rolled_up_until, target)
                watermark.rolled_up_until = target
                watermark.save(update_fields=["rolled_up_until"])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return rolled_up_until()
    _seen_watermark = watermark.rolled_up_until
    return watermark.rolled_up_until


def _lock_out_click_inserts():
    """PostgreSQL: wait for the click inserts in flight and hold new ones for these milliseconds, so
    that every click before the new watermark is counted by the rollup or sees the new watermark in
    its trigger. SQLite: nothing to do, the IMMEDIATE transaction already excludes other writers."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"LOCK TABLE {Click._meta.db_table} IN SHARE MODE")
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _roll_up(start, end):
    """One INSERT ... SELECT: the clicks in [start, end) counted per quarter and verdict."""
    counts = (
        Click.objects.filter(clicked_at__gte=start, clicked_at__lt=end)
        .order_by()
        .values("verdict", quarter=QuarterHour("clicked_at"))
        .annotate(clicks=Count("id"))
        .values_list("quarter", "verdict", "clicks")
    )
    select, params = counts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ClickQuarterCount._meta.db_table} (quarter_start, verdict, clicks) {select}",
            params,
        )


def forget_rollup():
    """Empty the rollup and put the watermark back to the epoch: the next reader rolls up every
    click. For bulk rewrites of history (a bench dataset shifted in time), which would otherwise
    move counts one click at a time."""
    with transaction.atomic():
        ClickQuarterCount.objects.all().delete()
        RollupWatermark.objects.update_or_create(pk=1, defaults={"rolled_up_until": EPOCH})


def rebuild_rollup():
    """Recount the rollup from the clicks (recovery, and after loads with the triggers off)."""
    with transaction.atomic():
        forget_rollup()
        return advance_rollup()


def clicks_per_quarter_hour_all_time(include_bots):
    """All time: [(UTC quarter start, clicks)] for the quarters with counted clicks (human ones, or
    all with include_bots): the rollup before the watermark and the raw clicks from it, one query."""
    keep_rollup_current()
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
