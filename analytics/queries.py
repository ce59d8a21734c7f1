"""The dashboard's figures: one function per figure, each one SQL aggregation through the ORM.

Every function takes the dashboard's filters:
- `period`: a links.periods.Period value (24h, 7d, 30d, all); a period includes its first instant;
- `campaign`: a campaign name, or empty for every campaign (an unknown name matches nothing);
- `include_bots`: count machine clicks (scanner, preview, prefetch, bot, internal) as well as human ones.

Two kinds of figures (docs/API.md, "Filters"):
- activity figures count clicks whose `clicked_at` is in the period;
- cohort figures take the links whose `created_at` is in the period, with all their clicks.
"""

from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from links.models import NOT_DEFINED_ICP, Campaign, Link
from links.periods import Period, period_start, previous_period
from tracker.derivation import figures_as_of
from tracker.models import Click, LinkCountryCount, LinkDeviceCount, Verdict
from tracker.rollup import QuarterHour, clicks_per_quarter_hour_all_time

MACHINE_VERDICTS = [verdict for verdict in Verdict.values if verdict != Verdict.HUMAN]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class SecondsBetween(Func):
    """`later` - `earlier` in seconds, in SQL (Django's duration arithmetic on SQLite calls a Python
    function per row)."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra_context,
        )


def clicks_per_quarter_hour(period, campaign, include_bots):
    """Activity: {local time of the quarter hour's start: clicks}, counted per UTC quarter hour in
    SQL: one row per quarter hour with clicks (8,640 for 90 days), never one per click. All time
    over every campaign reads the closed quarters from their rollup (tracker.rollup)."""
    if period == Period.ALL_TIME and not campaign:
        quarters = clicks_per_quarter_hour_all_time(include_bots)
    else:
        quarters = (
            counted_clicks_in_period(period, campaign, include_bots)
            .values(quarter=QuarterHour("clicked_at"))
            .annotate(clicks=Count("id"))
            .values_list("quarter", "clicks")
        )
    # The zone looked up once: timezone.localtime() looks it up again for every quarter hour.
    zone = timezone.get_current_timezone()
    return {quarter.astimezone(zone): clicks for quarter, clicks in quarters}


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


def links_of(campaign):
    """Every link of the campaign (all links when empty)."""
    links = Link.objects.order_by()
    return links.filter(campaign__name=campaign) if campaign else links


def counted_link_clicks(include_bots):
    """A link's all-time counted clicks, from its click counters."""
    return F("human_clicks") + F("machine_clicks") if include_bots else F("human_clicks")


def links_clicked_in_period(period, campaign, include_bots):
    """Activity: the campaign's links with a counted click in the period, each annotated with its
    `period_clicks` and `last_click`.

    A link clicked in the period is one whose last counted click (its counter) is in it, and that
    last click is then also its last one in the period. For all time the counters are the figures;
    for a period only those links count their clicks in it, each by a seek in the index on
    (link, clicked_at): a few thousand links, not every click of the period joined to its link."""
    last_click = F("last_click_at" if include_bots else "last_human_click_at")
    links = links_of(campaign).annotate(last_click=last_click)
    start = period_start(period)
    if start is None:
        return links.filter(last_click__isnull=False).annotate(period_clicks=counted_link_clicks(include_bots))
    clicks_in_it = (
        Click.objects.filter(counted_clicks(include_bots), link=OuterRef("pk"), clicked_at__gte=start)
        .order_by()
        .values("link")
        .annotate(count=Count("id"))
        .values("count")
    )
    return links.filter(last_click__gte=start).annotate(period_clicks=Subquery(clicks_in_it))


def links_in_cohort(period, campaign, include_bots):
    """Cohort: links created in the period, each annotated with its counted `click_count` (all
    time), `first_click` and `time_to_first_click` in seconds (from sent_at when Clay gave it, else
    created_at; NULL when never clicked), all read from the link's own click counters."""
    return links_created_between(campaign, include_bots, period_start(period))


def links_created_between(campaign, include_bots, start, end=None):
    """links_in_cohort() for the links created from `start` (None: the beginning) until `end`
    (excluded; None: now)."""
    links = links_of(campaign)
    if start is not None:
        links = links.filter(created_at__gte=start)
    if end is not None:
        links = links.filter(created_at__lt=end)
    return links.annotate(
        click_count=counted_link_clicks(include_bots),
        first_click=F("first_click_at" if include_bots else "first_human_click_at"),
    ).annotate(
        time_to_first_click=SecondsBetween("first_click", Coalesce("sent_at", "created_at")),
    )


def data_as_of():
    """When the worker last caught up with the clicks: the links' click counters, which most figures
    read, include every click stored before it (None before its first pass)."""
    return figures_as_of()


def percent(part, whole):
    """part / whole as a percentage rounded to one decimal; 0.0 when whole is 0."""
    return round(100 * part / whole, 1) if whole else 0.0


def ratio(part, whole):
    """part / whole rounded to one decimal; None when whole is 0 (nothing to average)."""
    return round(part / whole, 1) if whole else None


def seconds(value):
    """Seconds rounded to one decimal; None stays None."""
    return None if value is None else round(value, 1)


def icp_click_counts(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: `[{"icp", "click_count"}]` for the ICPs that clicked, most clicks first, ties by
    name; links without ICP are grouped as "Non défini"."""
    rows = (
        links_clicked_in_period(period, campaign, include_bots)
        .values(icp_name=Coalesce("icp", Value(NOT_DEFINED_ICP)))
        .annotate(click_count=Sum("period_clicks"))
        .order_by("-click_count", "icp_name")
    )
    return [{"icp": row["icp_name"], "click_count": row["click_count"]} for row in rows]


def click_activity(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: `total_clicks`, `unique_clickers` (links clicked in the period), and the machine
    clicks of the period left out of them, in total and by verdict (all 0 with include_bots)."""
    row = links_clicked_in_period(period, campaign, include_bots).aggregate(
        total_clicks=Coalesce(Sum("period_clicks"), 0),
        unique_clickers=Count("id"),
    )
    return {
        "total_clicks": row["total_clicks"],
        "unique_clickers": row["unique_clickers"],
        **machine_clicks_left_out(period, campaign, include_bots),
    }


def machine_clicks_left_out(period, campaign, include_bots):
    """`bot_clicks_filtered` and `filtered_by_verdict` of click_activity()."""
    filtered_by_verdict = dict.fromkeys(MACHINE_VERDICTS, 0)
    if not include_bots:
        filtered_by_verdict |= machine_clicks_by_verdict(period, campaign)
    return {"bot_clicks_filtered": sum(filtered_by_verdict.values()), "filtered_by_verdict": filtered_by_verdict}


def machine_clicks_by_verdict(period=Period.ALL_TIME, campaign=""):
    """Activity: {verdict: machine clicks in the period} for the machine verdicts that occurred
    (a few percent of the clicks, found through the index on verdict)."""
    return dict(
        # ~Q(HUMAN) as the partial index on machine clicks spells it, so that the planner uses it.
        clicks_in_period(period, campaign)
        .filter(~Q(verdict=Verdict.HUMAN), verdict__in=MACHINE_VERDICTS)
        .values("verdict")
        .annotate(clicks=Count("id"))
        .values_list("verdict", "clicks")
    )


def cohort_engagement(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort: `links_sent`, `links_clicked`, `click_rate` (%), `avg_clicks_per_clicker` and
    `avg_time_to_first_click` (seconds) and `shared_links` of the links created in the period."""
    return summarise_cohort(links_in_cohort(period, campaign, include_bots))


def summarise_cohort(links):
    """The cohort_engagement() figures of `links` (annotated as links_in_cohort() does), plus
    `shared_links`: how many of them look forwarded (tracker.forwarding)."""
    return cohort_figures(cohort_totals(links))


def cohort_totals(links):
    """The sums behind the cohort figures of `links`, in one pass over them: `links_sent`,
    `links_clicked`, `clicks`, `avg_time_to_first_click`, `shared_links`, and on PostgreSQL
    `median_time_to_first_click` as well (the same rows, so not a second pass)."""
    medians = {}
    if connection.vendor == "postgresql":
        medians["median_time_to_first_click"] = Median("time_to_first_click", filter=Q(first_click__isnull=False))
    return links.aggregate(
        links_sent=Count("id"),
        links_clicked=Count("id", filter=Q(click_count__gt=0)),
        clicks=Coalesce(Sum("click_count"), 0),
        avg_time_to_first_click=Avg("time_to_first_click"),
        shared_links=Count("id", filter=Q(shared=True)),
        **medians,
    )


def cohort_figures(totals):
    """cohort_engagement()'s figures from cohort_totals()."""
    return {
        "links_sent": totals["links_sent"],
        "links_clicked": totals["links_clicked"],
        "click_rate": percent(totals["links_clicked"], totals["links_sent"]),
        "avg_clicks_per_clicker": ratio(totals["clicks"], totals["links_clicked"]),
        "avg_time_to_first_click": seconds(totals["avg_time_to_first_click"]),
        "shared_links": totals["shared_links"],
    }


def overview(period=Period.ALL_TIME, campaign="", include_bots=False):
    """The overview's current figures: cohort_engagement(), `median_time_to_first_click` and
    click_activity(), in as few passes over the links as the period allows.

    For all time the cohort is every link and the links clicked in the period are those with a
    counted click, so the activity totals are the cohort's own `clicks` and `links_clicked`: the
    links are read once (twice on SQLite, for its median), not three times."""
    links = links_in_cohort(period, campaign, include_bots)
    totals = cohort_totals(links)
    if period == Period.ALL_TIME:
        activity = {
            "total_clicks": totals["clicks"],
            "unique_clickers": totals["links_clicked"],
            **machine_clicks_left_out(period, campaign, include_bots),
        }
    else:
        activity = click_activity(period, campaign, include_bots)
    return {**cohort_figures(totals), "median_time_to_first_click": cohort_median(totals, links), **activity}


class Median(Aggregate):
    """PostgreSQL's median: the middle value, or the mean of the middle two."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_time_to_first_click(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort: the median time to first click in seconds (None when no link was clicked).

    PostgreSQL computes it with percentile_cont. SQLite has none: there the clicked links, ordered by
    time to first click, are read from the middle one (odd count) or two (even count) by LIMIT/OFFSET
    and averaged (numbering every clicked link with a window costs twice the time).
    """
    return median_of(links_in_cohort(period, campaign, include_bots))


def median_of(links):
    """median_time_to_first_click() of `links` (annotated as links_in_cohort() does)."""
    clicked = links.filter(first_click__isnull=False)
    if connection.vendor == "postgresql":
        return seconds(clicked.aggregate(median=Median("time_to_first_click"))["median"])
    # The ORM's own SQL, wrapped: LIMIT and OFFSET take no ORM expression, and the count of clicked
    # links that places the middle belongs in the same statement. The links are read once
    # (MATERIALIZED), then counted and ordered in memory: reading them twice, to count them and then
    # in order, took twice as long (a period's links are scattered over the table).
    times, params = clicked.order_by().values("time_to_first_click").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH clicked_links AS MATERIALIZED ({times})"
            " SELECT AVG(time_to_first_click) FROM (SELECT time_to_first_click FROM clicked_links"
            " ORDER BY time_to_first_click LIMIT 2 - (SELECT COUNT(*) FROM clicked_links) %% 2"
            " OFFSET ((SELECT COUNT(*) FROM clicked_links) - 1) / 2)",
            params,
        )
        return seconds(cursor.fetchone()[0])


def cohort_median(totals, links):
    """The median time to first click of `links`: from cohort_totals() where it was counted in the
    same pass (PostgreSQL), else by median_of()."""
    if "median_time_to_first_click" in totals:
        return seconds(totals["median_time_to_first_click"])
    return median_of(links)


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
    """Cohort, the "Métriques à suivre" table per ICP: `links_sent`, `unique_clickers`,
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
    counts = {}
    for moment, clicks in clicks_per_quarter_hour(period, campaign, include_bots).items():
        cell = (moment.weekday(), moment.hour)
        counts[cell] = counts.get(cell, 0) + clicks
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
    counts = {}
    for moment, clicks in clicks_per_quarter_hour(period, campaign, include_bots).items():
        bucket = moment.replace(minute=0) if hourly else moment.date()
        counts[bucket] = counts.get(bucket, 0) + clicks
    if not hourly:
        # Each day's midnight made aware once, not once per quarter hour (8,640 for 90 days).
        counts = {timezone.make_aware(datetime.combine(day, time())): clicks for day, clicks in counts.items()}
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
    return list(
        links_clicked_in_period(period, campaign, include_bots)
        .values(
            "first_name",
            "last_name",
            "email",
            "last_click",
            link_id=F("id"),
            click_count=F("period_clicks"),
            icp_name=Coalesce("icp", Value(NOT_DEFINED_ICP)),
            campaign_name=F("campaign__name"),
        )
        .order_by("-click_count", "-last_click", "link_id")[:limit]
    )


def campaigns():
    """Every campaign by name with its `links_sent` and all-time human `clicks` (for the filter),
    summed from the links' click counters."""
    return list(
        Campaign.objects.order_by("name")
        .annotate(
            links_sent=Count("links"),
            clicks=Coalesce(Sum("links__human_clicks"), 0),
        )
        .values("id", "name", "links_sent", "clicks")
    )


def previous_overview(period=Period.ALL_TIME, campaign="", include_bots=False):
    """The overview's KPIs for the period of the same length just before `period` (the 7 days
    before the last 7), or None for all time: `links_sent`, `links_clicked`, `click_rate`,
    `total_clicks`, `unique_clickers`, `avg_clicks_per_clicker`, `median_time_to_first_click`,
    `avg_time_to_first_click`. Cohort figures take the links created then; activity figures count
    the clicks made then, aggregated from the clicks themselves (one index range)."""
    bounds = previous_period(period)
    if bounds is None:
        return None
    start, end = bounds
    cohort_links = links_created_between(campaign, include_bots, start, end)
    totals = cohort_totals(cohort_links)
    cohort = cohort_figures(totals)
    activity = (
        Click.objects.order_by()
        .filter(counted_clicks(include_bots), clicked_at__gte=start, clicked_at__lt=end)
        .filter(**({"link__campaign__name": campaign} if campaign else {}))
        .aggregate(total_clicks=Count("id"), unique_clickers=Count("link", distinct=True))
    )
    return {
        "links_sent": cohort["links_sent"],
        "links_clicked": cohort["links_clicked"],
        "click_rate": cohort["click_rate"],
        "total_clicks": activity["total_clicks"],
        "unique_clickers": activity["unique_clickers"],
        "avg_clicks_per_clicker": cohort["avg_clicks_per_clicker"],
        "median_time_to_first_click": cohort_median(totals, cohort_links),
        "avg_time_to_first_click": cohort["avg_time_to_first_click"],
    }


class JsonList(Aggregate):
    """The values of a group as a JSON array (text): json_agg on PostgreSQL, json_group_array on
    SQLite, cast to text by json_list() so that both databases hand back the same JSON text. Not
    DISTINCT: a DISTINCT aggregate makes PostgreSQL sort the groups by their collated text (slow);
    the few values per group are deduplicated by the caller."""

    function = "json_group_array"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="json_agg", **extra_context)


def json_list(expression, filter):
    return Cast(JsonList(expression, filter=filter), output_field=TextField())


def accounts(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Cohort, per account (the e-mail's domain; free-mail prospects one by one): `account`,
    `prospects` (links created in the period), `clickers` (those with a counted click), `clicks`,
    `icps_json` (the ICPs of its clickers, a JSON array with repeats), `first_click_at`,
    `last_click_at`; most clickers first, then most clicks, then by name.

    A queryset (lazy), so that the API paginates it in SQL: one GROUP BY account over the cohort's
    links, read with their click counters as every cohort figure is (joining a million clicks to
    their links instead costs seconds).

    The ICPs of its clickers: on PostgreSQL a subquery per account of the page only, through the
    index on (account, created_at), as a JSON array per group would make it sort every link by
    account instead of hashing the groups; SQLite groups in order of that index anyway, and gathers
    them in the same pass."""
    clicked = Q(click_count__gt=0)
    cohort = links_in_cohort(period, campaign, include_bots)
    icps = Coalesce("icp", Value(NOT_DEFINED_ICP))
    if connection.vendor == "postgresql":
        icps_json = Subquery(
            cohort.filter(clicked, account=OuterRef("account"))
            .values("account")
            .annotate(icps=json_list(icps, filter=None))
            .values("icps"),
            output_field=TextField(),
        )
    else:
        icps_json = json_list(icps, filter=clicked)
    return (
        cohort.annotate(last_click=F("last_click_at" if include_bots else "last_human_click_at"))
        .values("account")
        .annotate(
            prospects=Count("id"),
            clickers=Count("id", filter=clicked),
            clicks=Coalesce(Sum("click_count"), 0),
            first_click_at=Min("first_click"),
            last_click_at=Max("last_click"),
        )
        .annotate(icps_json=icps_json)
        .order_by("-clickers", "-clicks", "account")
    )


def account_count(period=Period.ALL_TIME, campaign="", include_bots=False):
    """How many rows accounts() has: the cohort's distinct accounts (SELECT DISTINCT, which the
    database hashes, rather than counting the grouped rows with all their aggregates)."""
    return links_in_cohort(period, campaign, include_bots).values("account").distinct().count()


def clicks_by_country(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: `[{"country", "clicks"}]`, the country (ISO 3166 alpha-2) each counted click's
    address is registered to; "" for unknown. Most clicks first, ties by code.

    All time sums each link's clicks per country (tracker.facets), as fresh as the worker's last
    pass like every all-time figure read from the link counters; a period counts its clicks."""
    rows = clicks_grouped_by(LinkCountryCount, ["country"], period, campaign, include_bots)
    return list(rows.order_by("-clicks", "country"))


def clicks_by_device(period=Period.ALL_TIME, campaign="", include_bots=False):
    """Activity: counted clicks by `device_types`, `os` and `browsers`, each `[{"name", "clicks"}]`
    most clicks first, ties by name; "" is unknown. One GROUP BY
    over (device type, OS, browser), folded into the three lists.

    All time sums each link's clicks per device (tracker.facets), as fresh as the worker's last pass;
    a period counts its clicks."""
    fields = ["device_type", "os", "browser"]
    rows = clicks_grouped_by(LinkDeviceCount, fields, period, campaign, include_bots).values_list(*fields, "clicks")
    totals = {"device_types": {}, "os": {}, "browsers": {}}
    for device_type, os, browser, clicks in rows.order_by():
        for figure, name in (("device_types", device_type), ("os", os), ("browsers", browser)):
            totals[figure][name] = totals[figure].get(name, 0) + clicks
    return {
        figure: [
            {"name": name, "clicks": clicks}
            for name, clicks in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        for figure, counts in totals.items()
    }


def clicks_grouped_by(model, fields, period, campaign, include_bots, where=None):
    """The counted clicks grouped by `fields` (columns of both the clicks and `model`, a per-link
    facet count of tracker.facets), each group's total in `clicks`, for the rows matching `where`.
    All time sums the links' rows of `model`, as fresh as the worker's last pass; a period counts
    its clicks."""
    if period == Period.ALL_TIME:
        rows = model.objects.order_by().filter(**{"all_clicks__gt" if include_bots else "human_clicks__gt": 0})
        if campaign:
            rows = rows.filter(link__campaign__name=campaign)
        clicks = Sum("all_clicks" if include_bots else "human_clicks")
    else:
        rows, clicks = counted_clicks_in_period(period, campaign, include_bots), Count("id")
    if where is not None:
        rows = rows.filter(where)
    return rows.values(*fields).annotate(clicks=clicks)


TOP_CITIES = 20


def clicks_by_city(period=Period.ALL_TIME, campaign="", include_bots=False, limit=TOP_CITIES):
    """Activity: `[{"country", "city", "clicks"}]`, the `limit` cities with the most counted clicks,
    ties by city then country; clicks without a city (no GEOIP_MMDB_PATH database, or none for
    their address) are left out, so it is empty without that database. `country` is the click's
    own (iptocc's), as in clicks_by_country.

    All time sums each link's clicks per country and city (tracker.facets), as fresh as the
    worker's last pass; a period counts its clicks."""
    # Without a city database no click has one: say so from the links' rows with a city (an empty
    # partial index), where a campaign's figure would otherwise read every click of its links.
    if not LinkCountryCount.objects.exclude(city="").exists():
        return []
    rows = clicks_grouped_by(LinkCountryCount, ["country", "city"], period, campaign, include_bots, where=~Q(city=""))
    return list(rows.order_by("-clicks", "city", "country")[:limit])
