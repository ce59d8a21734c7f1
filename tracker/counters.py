"""The click counters of each link (Link.human_clicks ... last_click_at) and its forwarding evidence
(Link.shared*, tracker.forwarding), recounted from the clicks.

Always a recount, never an increment: the worker (tracker.derivation) recounts the links whose
clicks arrived, changed or went away, so that late clicks, deletions and reclassification leave
every counter equal to its clicks. Counting (one grouped read) and writing (one UPDATE per link) are
two steps, so that the worker counts before it takes the write lock and holds that lock only to write.
"""

from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Min, Q

from links.models import Link
from tracker.forwarding import SharingEvidence, looks_forwarded
from tracker.models import Click, Verdict

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


def count_link_clicks(link_ids) -> list[LinkCounts]:
    """The counters and forwarding evidence of `link_ids` from their clicks, in one grouped read;
    zeros and None for a link without clicks."""
    link_ids = list(link_ids)
    human = Q(verdict=Verdict.HUMAN)
    rows = (
        Click.objects.filter(link_id__in=link_ids)
        .order_by()
        .values("link_id")
        .annotate(
            human=Count("id", filter=human),
            machine=Count("id", filter=~human),
            first_human=Min("clicked_at", filter=human),
            last_human=Max("clicked_at", filter=human),
            first=Min("clicked_at"),
            last=Max("clicked_at"),
            devices=Count("user_agent", filter=human, distinct=True),
            networks=Count("ip", filter=human, distinct=True),
        )
        .values_list("link_id", "human", "machine", "first_human", "last_human", "first", "last", "devices", "networks")
    )
    found = {row[0]: LinkCounts(*row) for row in rows}
    return [found.get(link_id, LinkCounts(link_id)) for link_id in link_ids]


def write_link_counters(counts: list[LinkCounts]) -> None:
    """Store count_link_clicks()'s counters and forwarding evidence: one UPDATE statement run for
    every link (not Django's bulk_update, whose CASE per field and row costs half a second for a
    thousand links)."""
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
    with connection.cursor() as cursor:
        cursor.executemany(UPDATE_COUNTERS_SQL, rows)


def rebuild_link_counters(link_ids=None) -> int:
    """Recount the counters and forwarding evidence of `link_ids` (default: every link) from their
    clicks and store them; return how many links were recounted."""
    if link_ids is None:
        link_ids = Link.objects.order_by("id").values_list("id", flat=True)
    counts = count_link_clicks(link_ids)
    write_link_counters(counts)
    return len(counts)
