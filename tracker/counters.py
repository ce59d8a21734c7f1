"""The click counters of each link (Link.human_clicks ... last_click_at), recounted from the clicks.

Always a recount, never an increment: the worker (tracker.derivation) recounts the links whose
clicks arrived, changed or went away, so that late clicks, deletions and reclassification leave
every counter equal to its clicks. Counting (a read) and writing are two steps, so that the worker
counts before it takes the write lock and holds that lock only to write.
"""

from django.db import connection
from django.db.models import Count, Max, Min, Q

from links.models import Link
from tracker.models import Click, Verdict

UPDATE_COUNTERS_SQL = (
    f"UPDATE {Link._meta.db_table} SET human_clicks = %s, machine_clicks = %s, first_human_click_at = %s,"
    " last_human_click_at = %s, first_click_at = %s, last_click_at = %s WHERE id = %s"
)


def count_link_clicks(link_ids) -> list[tuple]:
    """The counters of `link_ids` from their clicks, one grouped read (an index-only range per link):
    [(human_clicks, machine_clicks, first_human_click_at, last_human_click_at, first_click_at,
    last_click_at, link id)], zeros and None for a link without clicks."""
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
        )
        .values_list("link_id", "human", "machine", "first_human", "last_human", "first", "last")
    )
    found = {link_id: counters for link_id, *counters in rows}
    return [(*found.get(link_id, (0, 0, None, None, None, None)), link_id) for link_id in link_ids]


def write_link_counters(counters: list[tuple]) -> None:
    """Store count_link_clicks()'s counters: one UPDATE statement run for every link."""
    adapt_time = connection.ops.adapt_datetimefield_value
    rows = [
        (human, machine, *(adapt_time(moment) for moment in moments), link_id)
        for human, machine, *moments, link_id in counters
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPDATE_COUNTERS_SQL, rows)


def rebuild_link_counters(link_ids=None) -> int:
    """Recount the counters of `link_ids` (default: every link) from their clicks and store them;
    return how many links were recounted."""
    if link_ids is None:
        link_ids = Link.objects.order_by("id").values_list("id", flat=True)
    counters = count_link_clicks(link_ids)
    write_link_counters(counters)
    return len(counters)
