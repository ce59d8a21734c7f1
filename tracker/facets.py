"""Each link's clicks by country and by device (LinkCountryCount, LinkDeviceCount), recounted from
its clicks, so that the all-time countries and devices figures sum a few rows per link instead of
scanning every click.

Always a recount, never an increment, like the link counters (tracker.counters): the worker
(tracker.derivation) recounts the links whose clicks arrived, changed or went away, and a link whose
clicks the describe job described (tracker.devices) is marked for that recount too. Counting (a read)
and writing are two steps, so that the worker holds the write lock only to write.
"""

from collections import defaultdict
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
    country and per device. One grouped read by link, country and device (the clicks are read once,
    not once per table), whose few groups per link are then summed per table. Pass a chunk of links
    at a time (tracker.derivation.LINKS_PER_STATEMENT)."""
    groups = (
        Click.objects.filter(link_id__in=list(link_ids))
        .order_by()
        .values("link_id", "country", "device_type", "os", "browser")
        .annotate(human=Count("id", filter=Q(verdict=Verdict.HUMAN)), every=Count("id"))
        .values_list("link_id", "country", "device_type", "os", "browser", "human", "every")
    )
    totals = {model: defaultdict(lambda: [0, 0]) for model in FACETS}
    for link_id, country, device_type, os, browser, human, every in groups:
        for model, key in (
            (LinkCountryCount, (link_id, country)),
            (LinkDeviceCount, (link_id, device_type, os, browser)),
        ):
            counts = totals[model][key]
            counts[0] += human
            counts[1] += every
    return {model: [(*key, human, every) for key, (human, every) in rows.items()] for model, rows in totals.items()}


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
