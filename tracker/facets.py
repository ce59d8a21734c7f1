"""Each link's clicks by country and by device (LinkCountryCount, LinkDeviceCount), recounted from
its clicks, so that the all-time countries and devices figures sum a few rows per link instead of
scanning every click.

Always a recount, never an increment, like the link counters (tracker.counters): the worker
(tracker.derivation) recounts the links whose clicks arrived, changed or went away, and a link whose
clicks the describe job described (tracker.devices) is marked for that recount too. Counting (a read)
and writing are two steps, so that the worker holds the write lock only to write.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Q

from tracker.models import Click, LinkCountryCount, LinkDeviceCount, Verdict

FACETS = {
    LinkCountryCount: ("country",),
    LinkDeviceCount: ("device_type", "os", "browser"),
}


def count_link_facets(link_ids: Iterable[int]) -> dict:
    """{model: [(link id, *facet, human clicks, all clicks)]}: the clicks of `link_ids` counted per
    country and per device, one grouped read per table. Pass a chunk of links at a time
    (tracker.derivation.LINKS_PER_STATEMENT)."""
    link_ids = list(link_ids)
    counted = {}
    for model, facet in FACETS.items():
        counted[model] = list(
            Click.objects.filter(link_id__in=link_ids)
            .order_by()
            .values("link_id", *facet)
            .annotate(human=Count("id", filter=Q(verdict=Verdict.HUMAN)), every=Count("id"))
            .values_list("link_id", *facet, "human", "every")
        )
    return counted


def write_link_facets(link_ids: Iterable[int], counted: dict) -> None:
    """Replace the country and device rows of `link_ids` with count_link_facets()'s: per table, one
    DELETE and one INSERT run for every row. A link without clicks (or gone) is left without rows."""
    link_ids = list(link_ids)
    if not link_ids:
        return
    for model, facet in FACETS.items():
        model.objects.filter(link_id__in=link_ids).delete()
        columns = ["link_id", *facet, "human_clicks", "all_clicks"]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})",
                counted[model],
            )


def rebuild_link_facets(link_ids: Iterable[int]) -> None:
    """Recount and store the country and device rows of `link_ids` (a chunk at a time)."""
    link_ids = list(link_ids)
    if link_ids:
        write_link_facets(link_ids, count_link_facets(link_ids))
