"""The click counters of each link (Link.human_clicks ... last_click_at) and its forwarding evidence
(Link.shared*, tracker.forwarding), counted from the clicks.

Two ways, both used by the worker (tracker.derivation): the clicks appended since its last pass are
added to the counters (count_appended_clicks() then add_link_counts(): one grouped read of the new
clicks, not of each link's history), and a link whose clicks changed, went away or arrived late is
recounted from its clicks up to the pass's last click (count_link_clicks()). Counting (reads) and
writing (write_link_counters(): one UPDATE per link) are two steps, so that the worker counts before
it takes the write lock and holds that lock only to write.
"""

from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from links.models import CLICK_COUNTERS, Link
from tracker.forwarding import SharingEvidence, looks_forwarded
from tracker.models import Click, Verdict
from tracker.statements import run_many

UPDATE_COUNTERS_SQL = (
    f"UPDATE {Link._meta.db_table} SET human_clicks = %s, machine_clicks = %s, first_human_click_at = %s,"
    " last_human_click_at = %s, first_click_at = %s, last_click_at = %s, shared = %s, shared_devices = %s,"
    " shared_networks = %s, shared_first_click_at = %s, shared_last_click_at = %s WHERE id = %s"
)


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


def count_link_clicks(link_ids, up_to_click_id: int) -> list[LinkCounts]:
    """The counters and forwarding evidence of `link_ids` from their clicks up to `up_to_click_id`
    (later ones are the next pass's to add), in one grouped read; zeros and None for a link
    without clicks."""
    link_ids = list(link_ids)
    clicks = Click.objects.filter(link_id__in=link_ids, id__lte=up_to_click_id)
    found = {counts.link_id: counts for counts in grouped_counts(clicks)}
    return [found.get(link_id, LinkCounts(link_id)) for link_id in link_ids]


def count_appended_clicks(appended: QuerySet, after_click_id: int) -> list[LinkCounts]:
    """What the `appended` clicks (all after `after_click_id`) add to their links' counters, in one
    grouped read of those clicks. Devices and networks count only the user agents and addresses new
    to the link: absent from its human clicks up to `after_click_id`, which the counters hold."""
    earlier = Click.objects.filter(link_id=OuterRef("link_id"), verdict=Verdict.HUMAN, id__lte=after_click_id)
    return grouped_counts(
        appended.alias(
            seen_device=Exists(earlier.filter(user_agent=OuterRef("user_agent"))),
            seen_network=Exists(earlier.filter(ip=OuterRef("ip"))),
        ),
        counted_devices=HUMAN & Q(seen_device=False),
        counted_networks=HUMAN & Q(seen_network=False),
    )


def grouped_counts(clicks: QuerySet, counted_devices: Q = HUMAN, counted_networks: Q = HUMAN) -> list[LinkCounts]:
    """LinkCounts of each link in `clicks`, in one grouped read; devices and networks are the
    distinct user agents and addresses of the clicks matching `counted_devices` and
    `counted_networks` (the human ones by default)."""
    rows = (
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
    return [LinkCounts(*row) for row in rows]


def add_link_counts(appended: list[LinkCounts]) -> list[LinkCounts]:
    """The counters of the links in `appended` once count_appended_clicks()'s clicks are added to
    the counters stored now (read here: only the worker, under its lock, writes them)."""
    stored = {
        row[0]: LinkCounts(*row)
        for row in Link.objects.filter(id__in=[counts.link_id for counts in appended]).values_list(
            "id", *CLICK_COUNTERS, "shared_devices", "shared_networks"
        )
    }
    return [combined(stored[counts.link_id], counts) for counts in appended if counts.link_id in stored]


def combined(stored: LinkCounts, added: LinkCounts) -> LinkCounts:
    """The counters of `stored`'s clicks and `added`'s together."""
    return LinkCounts(
        stored.link_id,
        stored.human_clicks + added.human_clicks,
        stored.machine_clicks + added.machine_clicks,
        earliest(stored.first_human_click_at, added.first_human_click_at),
        latest(stored.last_human_click_at, added.last_human_click_at),
        earliest(stored.first_click_at, added.first_click_at),
        latest(stored.last_click_at, added.last_click_at),
        stored.devices + added.devices,
        stored.networks + added.networks,
    )


def earliest(*moments):
    return min((moment for moment in moments if moment is not None), default=None)


def latest(*moments):
    return max((moment for moment in moments if moment is not None), default=None)


def write_link_counters(counts: list[LinkCounts]) -> None:
    """Store the counters and forwarding evidence of count_link_clicks() or add_link_counts(): one
    UPDATE statement run for every link (statements.run_many; not Django's bulk_update, whose CASE
    per field and row costs half a second for a thousand links)."""
    adapt_time = connection.ops.adapt_datetimefield_value
    rows = []
    for link in counts:
        evidence = SharingEvidence(link.devices, link.networks, link.first_human_click_at, link.last_human_click_at)
        first_human, last_human = adapt_time(link.first_human_click_at), adapt_time(link.last_human_click_at)
        rows.append(
            (
                link.human_clicks,
                link.machine_clicks,
                first_human,
                last_human,
                adapt_time(link.first_click_at),
                adapt_time(link.last_click_at),
                looks_forwarded(evidence),
                link.devices,
                link.networks,
                first_human,
                last_human,
                link.link_id,
            )
        )
    run_many(UPDATE_COUNTERS_SQL, rows)
