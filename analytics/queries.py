"""The dashboard's figures: one function per figure, each one SQL aggregation through the ORM.

Every function takes the dashboard's filters:
- `period`: a links.periods.Period value (24h, 7d, 30d, all); a period includes its first instant;
- `campaign`: a campaign name, or empty for every campaign (an unknown name matches nothing);
- `include_bots`: count machine clicks (scanner, preview, prefetch, bot) as well as human ones.

Two kinds of figures (docs/API.md, "Filters"):
- activity figures count clicks whose `clicked_at` is in the period;
- cohort figures take the links whose `created_at` is in the period, with all their clicks.
"""
from datetime import datetime, time, timedelta

from django.db.models import (
    Avg, Count, DurationField, ExpressionWrapper, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, Window,
)
from django.db.models.functions import (
    Coalesce, ExtractHour, ExtractIsoWeekDay, RowNumber, TruncDay, TruncHour,
)
from django.utils import timezone

from links.models import NOT_DEFINED_ICP, Campaign, Link
from links.periods import Period, period_start
from tracker.models import Click, Verdict

MACHINE_VERDICTS = [verdict for verdict in Verdict.values if verdict != Verdict.HUMAN]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def icp_label():
    """The link's ICP, with NULL spelled "Non défini" (the seed's grouping)."""
    return Coalesce("link__icp", Value(NOT_DEFINED_ICP))


def counted_clicks(include_bots):
    """Which clicks count: human ones, or every click with include_bots."""
    return Q() if include_bots else Q(verdict=Verdict.HUMAN)


def clicks_in_period(period, campaign):
    """Activity: every click (human or not) whose time is in the period, on the campaign's links."""
    clicks = Click.objects.order_by()
    start = period_start(period)
    if start is not None:
        clicks = clicks.filter(clicked_at__gte=start)
    if campaign:
        clicks = clicks.filter(link__campaign__name=campaign)
    return clicks


def counted_clicks_in_period(period, campaign, include_bots):
    return clicks_in_period(period, campaign).filter(counted_clicks(include_bots))


def links_in_cohort(period, campaign, include_bots):
    """Cohort: links created in the period, each annotated with its counted `click_count` (all
    time) and its `time_to_first_click` (from sent_at when Clay gave it, else created_at; NULL when
    never clicked).

    Both come from subqueries on the click index (link, clicked_at) so that the callers can still
    group the links (by ICP, by click count) in the same statement.
    """
    links = Link.objects.order_by()
    start = period_start(period)
    if start is not None:
        links = links.filter(created_at__gte=start)
    if campaign:
        links = links.filter(campaign__name=campaign)
    clicks = Click.objects.filter(counted_clicks(include_bots), link=OuterRef("pk")).order_by()
    click_count = clicks.values("link").annotate(count=Count("id")).values("count")
    first_click = clicks.order_by("clicked_at").values("clicked_at")[:1]
    return links.annotate(
        click_count=Coalesce(Subquery(click_count, output_field=IntegerField()), 0),
        first_click=Subquery(first_click),
    ).annotate(
        time_to_first_click=ExpressionWrapper(
            F("first_click") - Coalesce("sent_at", "created_at"), output_field=DurationField()
        ),
    )


def percent(part, whole):
    """part / whole as a percentage rounded to one decimal; 0.0 when whole is 0."""
    return round(100 * part / whole, 1) if whole else 0.0


def ratio(part, whole):
    """part / whole rounded to one decimal; None when whole is 0 (nothing to average)."""
    return round(part / whole, 1) if whole else None


def seconds(duration):
    """A timedelta as seconds rounded to one decimal; None stays None."""
    return None if duration is None else round(duration.total_seconds(), 1)


def icp_click_counts(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: `[{"icp", "click_count"}]` for the ICPs that clicked, most clicks first, ties by
    name; links without ICP are grouped as "Non défini"."""
    return list(
        counted_clicks_in_period(period, campaign, include_bots)
        .values(icp=icp_label())
        .annotate(click_count=Count("id"))
        .order_by("-click_count", "icp")
    )


def click_activity(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: `total_clicks`, `unique_clickers` (links clicked in the period), and the machine
    clicks of the period left out of them, in total and by verdict (all 0 with include_bots)."""
    counted = counted_clicks(include_bots)
    figures = {
        "total_clicks": Count("id", filter=counted),
        "unique_clickers": Count("link", distinct=True, filter=counted),
    }
    if not include_bots:
        figures |= {verdict: Count("id", filter=Q(verdict=verdict)) for verdict in MACHINE_VERDICTS}
    row = clicks_in_period(period, campaign).aggregate(**figures)
    filtered_by_verdict = {verdict: row.get(verdict, 0) for verdict in MACHINE_VERDICTS}
    return {
        "total_clicks": row["total_clicks"],
        "unique_clickers": row["unique_clickers"],
        "bot_clicks_filtered": sum(filtered_by_verdict.values()),
        "filtered_by_verdict": filtered_by_verdict,
    }


def cohort_engagement(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort: `links_sent`, `links_clicked`, `click_rate` (%), `avg_clicks_per_clicker` and
    `avg_time_to_first_click` (seconds) of the links created in the period."""
    row = links_in_cohort(period, campaign, include_bots).aggregate(
        links_sent=Count("id"),
        links_clicked=Count("id", filter=Q(click_count__gt=0)),
        clicks=Coalesce(Sum("click_count"), 0),
        avg_time_to_first_click=Avg("time_to_first_click"),
    )
    return {
        "links_sent": row["links_sent"],
        "links_clicked": row["links_clicked"],
        "click_rate": percent(row["links_clicked"], row["links_sent"]),
        "avg_clicks_per_clicker": ratio(row["clicks"], row["links_clicked"]),
        "avg_time_to_first_click": seconds(row["avg_time_to_first_click"]),
    }


def median_time_to_first_click(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort: the median time to first click in seconds (None when no link was clicked).

    Portable (SQLite has no percentile_cont): number the clicked links by time to first click and
    average the middle one (odd count) or two (even count), i.e. the positions p with
    n <= 2p <= n + 2.
    """
    clicked = links_in_cohort(period, campaign, include_bots).filter(first_click__isnull=False)
    middle = clicked.annotate(
        position=Window(RowNumber(), order_by=F("time_to_first_click").asc()),
        clicked_links=Window(Count("id")),
    ).filter(position__gte=F("clicked_links") / 2.0, position__lte=F("clicked_links") / 2.0 + 1)
    return seconds(middle.aggregate(median=Avg("time_to_first_click"))["median"])


def funnel(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort, Sankey-ready: Sent -> Clicked / Not clicked, Clicked -> Clicked once / Clicked 2+
    times, as `{"nodes": [{"name", "value"}], "links": [{"source", "target", "value"}]}`."""
    row = links_in_cohort(period, campaign, include_bots).aggregate(
        sent=Count("id"),
        clicked=Count("id", filter=Q(click_count__gt=0)),
        clicked_once=Count("id", filter=Q(click_count=1)),
        clicked_again=Count("id", filter=Q(click_count__gte=2)),
    )
    values = {
        "Sent": row["sent"],
        "Clicked": row["clicked"],
        "Not clicked": row["sent"] - row["clicked"],
        "Clicked once": row["clicked_once"],
        "Clicked 2+ times": row["clicked_again"],
    }
    edges = [("Sent", "Clicked"), ("Sent", "Not clicked"), ("Clicked", "Clicked once"), ("Clicked", "Clicked 2+ times")]
    return {
        "nodes": [{"name": name, "value": value} for name, value in values.items()],
        "links": [{"source": source, "target": target, "value": values[target]} for source, target in edges],
    }


def icp_metrics(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort, the seed's "Métriques à suivre" per ICP: `links_sent`, `unique_clickers`,
    `click_rate` (%), `avg_clicks_per_clicker`, `avg_time_to_first_click` (seconds); most links
    sent first, ties by name."""
    rows = (
        links_in_cohort(period, campaign, include_bots)
        .values(icp_name=Coalesce("icp", Value(NOT_DEFINED_ICP)))
        .annotate(
            links_sent=Count("id"),
            unique_clickers=Count("id", filter=Q(click_count__gt=0)),
            clicks=Coalesce(Sum("click_count"), 0),
            avg_time_to_first_click=Avg("time_to_first_click"),
        )
        .order_by("-links_sent", "icp_name")
    )
    return [
        {
            "icp": row["icp_name"],
            "links_sent": row["links_sent"],
            "unique_clickers": row["unique_clickers"],
            "click_rate": percent(row["unique_clickers"], row["links_sent"]),
            "avg_clicks_per_clicker": ratio(row["clicks"], row["unique_clickers"]),
            "avg_time_to_first_click": seconds(row["avg_time_to_first_click"]),
        }
        for row in rows
    ]


def heatmap(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity by weekday x hour in the current time zone: `{"days", "hours", "cells": [[weekday
    (0 = Monday), hour, clicks]] (all 168, zeros included), "max"}`."""
    counts = {
        (row["weekday"] - 1, row["hour"]): row["clicks"]
        for row in counted_clicks_in_period(period, campaign, include_bots)
        .values(weekday=ExtractIsoWeekDay("clicked_at"), hour=ExtractHour("clicked_at"))
        .annotate(clicks=Count("id"))
    }
    cells = [[day, hour, counts.get((day, hour), 0)] for day in range(7) for hour in range(24)]
    return {
        "days": WEEKDAYS,
        "hours": list(range(24)),
        "cells": cells,
        "max": max(clicks for _, _, clicks in cells),
    }


def timeline(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity over time in the current time zone, zero-filled: `{"bucket": "hour" | "day",
    "points": [{"t", "clicks"}]}`. Hourly over every hour the last 24 h touch, daily otherwise
    (for all time: from the first click's day to today; no point when nothing was clicked)."""
    hourly = period == Period.LAST_24_HOURS
    trunc = TruncHour if hourly else TruncDay
    counts = {
        row["t"]: row["clicks"]
        for row in counted_clicks_in_period(period, campaign, include_bots)
        .values(t=trunc("clicked_at"))
        .annotate(clicks=Count("id"))
    }
    now = timezone.localtime()
    start = period_start(period, now)
    if hourly:
        buckets = hours_between(timezone.localtime(start), now)
    elif start is not None:
        buckets = days_between(timezone.localtime(start).date(), now.date())
    elif counts:
        buckets = days_between(timezone.localtime(min(counts)).date(), now.date())
    else:
        buckets = []
    return {
        "bucket": "hour" if hourly else "day",
        "points": [{"t": bucket, "clicks": counts.get(bucket, 0)} for bucket in buckets],
    }


def hours_between(first, last):
    """The start of every local hour from `first`'s to `last`'s (aware datetimes)."""
    # Step in UTC so that a DST change neither repeats nor skips an hour.
    hour = first.replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour <= last:
        hours.append(timezone.localtime(hour))
        hour += timedelta(hours=1)
    return hours


def days_between(first, last):
    """Local midnight of every day from `first` to `last` (dates), as aware datetimes."""
    return [
        timezone.make_aware(datetime.combine(first + timedelta(days=offset), time()))
        for offset in range((last - first).days + 1)
    ]


def top_clickers(period=Period.ALL_TIME, campaign="", include_bots=False, limit=10):
    """Activity: the `limit` links with the most clicks in the period, with the prospect,
    `icp_name`, `campaign_name`, `click_count` and `last_click`; ties: latest click first, then
    oldest link."""
    # One filter() call, so that the clicks counted below are the ones it selects (one join).
    clicks = Q(clicks__isnull=False)
    if not include_bots:
        clicks &= Q(clicks__verdict=Verdict.HUMAN)
    start = period_start(period)
    if start is not None:
        clicks &= Q(clicks__clicked_at__gte=start)
    links = Link.objects.order_by().filter(clicks)
    if campaign:
        links = links.filter(campaign__name=campaign)
    return list(
        links.values("first_name", "last_name", "email", link_id=F("id"),
                     icp_name=Coalesce("icp", Value(NOT_DEFINED_ICP)), campaign_name=F("campaign__name"))
        .annotate(click_count=Count("clicks__id"), last_click=Max("clicks__clicked_at"))
        .order_by("-click_count", "-last_click", "link_id")[:limit]
    )


def campaigns():
    """Every campaign by name with its `links_sent` and all-time human `clicks` (for the filter)."""
    return list(
        Campaign.objects.order_by("name").annotate(
            links_sent=Count("links", distinct=True),
            clicks=Count("links__clicks", filter=Q(links__clicks__verdict=Verdict.HUMAN)),
        ).values("id", "name", "links_sent", "clicks")
    )
