"""Each link's clicks by country and by device (LinkCountryCount, LinkDeviceCount), recounted from
its clicks, so that the all-time countries and devices figures sum a few rows per link instead of
scanning every click.

Always a recount, never an increment, like the link counters (tracker.counters): the worker
(tracker.derivation) recounts the links whose clicks arrived, changed or went away, and a link whose
clicks the describe job described (tracker.devices) is marked for that recount too.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Q

from tracker.models import Click, LinkCountryCount, LinkDeviceCount, Verdict

FACETS = {
    LinkCountryCount: ("country",),
    LinkDeviceCount: ("device_type", "os", "browser"),
}


def rebuild_link_facets(link_ids: Iterable[int]) -> None:
    """Replace the country and device rows of `link_ids` with their clicks counted per facet: per
    table, one DELETE and one INSERT ... SELECT ... GROUP BY. A link without clicks (or gone) is
    left without rows. Pass a chunk of links at a time (tracker.derivation.LINKS_PER_STATEMENT)."""
    link_ids = list(link_ids)
    if not link_ids:
        return
    for model, facet in FACETS.items():
        model.objects.filter(link_id__in=link_ids).delete()
        counts = (
            Click.objects.filter(link_id__in=link_ids)
            .order_by()
            .values("link_id", *facet)
            .annotate(human=Count("id", filter=Q(verdict=Verdict.HUMAN)), every=Count("id"))
            .values_list("link_id", *facet, "human", "every")
        )
        select, params = counts.query.sql_with_params()
        columns = ", ".join(["link_id", *facet, "human_clicks", "all_clicks"])
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) {select}", params)
