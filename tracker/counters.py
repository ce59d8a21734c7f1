"""The click counters of each link (Link.human_clicks ... last_click_at) and its forwarding evidence
(Link.shared*, tracker.forwarding), counted from the clicks.

Two ways, both used by the worker (tracker.derivation): the clicks appended since its last pass are
added to the counters (count_appended_clicks(): one grouped read of the new clicks, not of each
link's history; then add_link_counts(): one UPDATE per link that adds them to what is stored, in
SQL), and a link whose clicks changed, went away or arrived late is recounted from its clicks up to
the pass's last click (count_link_clicks(), then write_link_counters(): the counters emptied, then
the recount added). Counting (reads) and writing are two steps, so that the worker counts before it
takes the write lock and holds that lock only to write.

The counts never travel through Python's datetimes: their times are read and written as the
database returns them (text on SQLite), compared and judged by SQL (add_counts_statement()).
Reading the stored counters back and converting four times per link each way made up about 40 % of
the worker's processor time per new click (on SQLite, 0.85 million instructions before, 0.49
after, counted by callgrind over a thousand clicks on a thousand links).
"""

import re
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from links.models import CLICK_COUNTERS, SHARING_FIELDS, Link
from tracker.forwarding import forwarded_sql
from tracker.models import Click, Verdict
from tracker.statements import raw_rows, run_many


class LinkCounts(NamedTuple):
    link_id: int
    human_clicks: int = 0
    machine_clicks: int = 0
    first_human_click_at: object = None
    last_human_click_at: object = None
    first_click_at: object = None
    last_click_at: object = None
    devices: int = 0  # distinct user agents of its human clicks
    networks: int = 0  # distinct stored addresses of its human clicks


HUMAN = Q(verdict=Verdict.HUMAN)
# A link's counters and forwarding evidence before any click: the fields' defaults.
EMPTY_COUNTERS = {name: Link._meta.get_field(name).get_default() for name in (*CLICK_COUNTERS, *sorted(SHARING_FIELDS))}


def count_link_clicks(link_ids, up_to_click_id: int) -> list[LinkCounts]:
    """The counters and forwarding evidence of `link_ids` from their clicks up to `up_to_click_id`
    (later ones are the next pass's to add), in one grouped read; zeros and None for a link
    without clicks."""
    link_ids = list(link_ids)
    clicks = Click.objects.filter(link_id__in=link_ids, id__lte=up_to_click_id)
    found = {row[0]: LinkCounts(*row) for row in raw_rows(grouped_rows(clicks))}
    return [found.get(link_id, LinkCounts(link_id)) for link_id in link_ids]


def count_appended_clicks(appended: QuerySet, after_click_id: int) -> list[LinkCounts]:
    """What the `appended` clicks (all after `after_click_id`) add to their links' counters, in one
    grouped read of those clicks, for add_link_counts(); times as the database returns them. Devices
    and networks count only the user agents and addresses new to the link: absent from its human
    clicks up to `after_click_id`, which the counters hold."""
    earlier = Click.objects.filter(link_id=OuterRef("link_id"), verdict=Verdict.HUMAN, id__lte=after_click_id)
    grouped = grouped_rows(
        appended.alias(
            seen_device=Exists(earlier.filter(user_agent=OuterRef("user_agent"))),
            seen_network=Exists(earlier.filter(ip=OuterRef("ip"))),
        ),
        counted_devices=HUMAN & Q(seen_device=False),
        counted_networks=HUMAN & Q(seen_network=False),
    )
    return [LinkCounts(*row) for row in raw_rows(grouped)]


def grouped_rows(clicks: QuerySet, counted_devices: Q = HUMAN, counted_networks: Q = HUMAN) -> QuerySet:
    """The grouped read of `clicks` per link, in LinkCounts' order; devices and networks are the
    distinct user agents and addresses of the clicks matching `counted_devices` and
    `counted_networks`."""
    return (
        clicks.order_by()
        .values("link_id")
        .annotate(
            human=Count("id", filter=HUMAN),
            machine=Count("id", filter=~HUMAN),
            first_human=Min("clicked_at", filter=HUMAN),
            last_human=Max("clicked_at", filter=HUMAN),
            first=Min("clicked_at"),
            last=Max("clicked_at"),
            devices=Count("user_agent", filter=counted_devices, distinct=True),
            networks=Count("ip", filter=counted_networks, distinct=True),
        )
        .values_list("link_id", "human", "machine", "first_human", "last_human", "first", "last", "devices", "networks")
    )


def add_link_counts(added: list[LinkCounts]) -> None:
    """Add count_appended_clicks()'s counts to their links' stored counters and judge the
    forwarding evidence again (tracker.forwarding), in the database: one UPDATE run for every link
    (statements.run_many). A link deleted meanwhile matches no row. The caller holds the derivation
    lock: the counters it adds to hold every click up to the pass's watermark."""
    statement, fields = add_counts_statement()
    run_many(statement, [tuple(getattr(counts, field) for field in fields) for counts in added])


def add_counts_statement() -> tuple[str, list[str]]:
    """The UPDATE of add_link_counts() and the LinkCounts fields its %s stand for, in order; the
    forwarding rule (tracker.forwarding) judges the evidence once the new clicks are added."""
    if connection.vendor == "postgresql":

        def earliest(column, field):
            return f"LEAST({column}, %({field})s)"  # NULLs are ignored

        def latest(column, field):
            return f"GREATEST({column}, %({field})s)"

    else:

        def earliest(column, field):
            # SQLite's MIN() of several values is NULL when one is; its times are text, ordered as times.
            return f"COALESCE(MIN({column}, %({field})s), {column}, %({field})s)"

        def latest(column, field):
            return f"COALESCE(MAX({column}, %({field})s), {column}, %({field})s)"

    first_human = earliest("first_human_click_at", "first_human_click_at")
    last_human = latest("last_human_click_at", "last_human_click_at")
    devices = "shared_devices + %(devices)s"
    networks = "shared_networks + %(networks)s"
    template = (
        f"UPDATE {Link._meta.db_table} SET human_clicks = human_clicks + %(human_clicks)s,"
        " machine_clicks = machine_clicks + %(machine_clicks)s,"
        f" first_human_click_at = {first_human}, last_human_click_at = {last_human},"
        f" first_click_at = {earliest('first_click_at', 'first_click_at')},"
        f" last_click_at = {latest('last_click_at', 'last_click_at')},"
        f" shared = {forwarded_sql(first_human, last_human, devices, networks)},"
        f" shared_devices = {devices}, shared_networks = {networks},"
        f" shared_first_click_at = {first_human}, shared_last_click_at = {last_human}"
        " WHERE id = %(link_id)s"
    )
    return re.sub(r"%\((\w+)\)s", "%s", template), re.findall(r"%\((\w+)\)s", template)


def write_link_counters(counts: list[LinkCounts]) -> None:
    """Store count_link_clicks()'s counters (a recount): the links' counters emptied (one UPDATE),
    then the counts added by add_link_counts(), so that one statement, and one rule, writes every
    link's counters and forwarding evidence. Recounts are the rare case (late, changed or deleted
    clicks, recount_clicks); a pass's new clicks only add."""
    Link.objects.filter(id__in=[link.link_id for link in counts]).update(**EMPTY_COUNTERS)
    add_link_counts(counts)
