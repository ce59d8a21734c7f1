"""Each link's clicks by country and city and by device (LinkCountryCount, LinkDeviceCount), counted
from its clicks, so that the all-time countries, cities and devices figures sum a few rows per link
instead of scanning every click.

Like the link counters (tracker.counters), the worker (tracker.derivation) adds the clicks appended
since its last pass to these rows (facet_counts(), add_link_facets()) and recounts the rows
of links whose clicks changed, went away or arrived late (count_link_facets(), write_link_facets());
a link whose clicks the describe job described (tracker.devices) is marked for that recount too.
Counting (a read) and writing are two steps, so that the worker holds the write lock only to write.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q

from links.models import Link
from tracker.models import Click, LinkCountryCount, LinkDeviceCount, Verdict
from tracker.statements import run_many

FACETS = {
    LinkCountryCount: ("country", "city"),
    LinkDeviceCount: ("device_type", "os", "browser"),
}


def count_link_facets(link_ids: Iterable[int], up_to_click_id: int) -> dict:
    """facet_counts() of the clicks of `link_ids` up to `up_to_click_id`. Pass a chunk of links at a
    time (tracker.derivation.LINKS_PER_STATEMENT)."""
    return facet_counts(Click.objects.filter(link_id__in=list(link_ids), id__lte=up_to_click_id))


def facet_counts(clicks) -> dict:
    """{model: [(link id, *facet, human clicks, all clicks)]}: `clicks` counted per link, country and
    city and per link and device: one grouped read by link, place and device (the clicks are read
    once, not once per table), whose few groups per link are then summed per table."""
    groups = (
        clicks.order_by()
        .values("link_id", "country", "city", "device_type", "os", "browser")
        .annotate(human=Count("id", filter=Q(verdict=Verdict.HUMAN)), every=Count("id"))
        .values_list("link_id", "country", "city", "device_type", "os", "browser", "human", "every")
    )
    totals = {model: defaultdict(lambda: [0, 0]) for model in FACETS}
    for link_id, country, city, device_type, os, browser, human, every in groups:
        for model, key in (
            (LinkCountryCount, (link_id, country, city)),
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
    for model in FACETS:
        model.objects.filter(link_id__in=link_ids).delete()
        run_many(insert_if_link_exists(model), with_link_id_again(counted[model]))


def add_link_facets(counted: dict) -> None:
    """Add facet_counts() of appended clicks to the place and device rows, creating the rows a
    link did not have: one upsert run for every row, per table."""
    for model, facet in FACETS.items():
        table = model._meta.db_table
        run_many(
            f"{insert_if_link_exists(model)} ON CONFLICT (link_id, {', '.join(facet)}) DO UPDATE SET"
            f" human_clicks = {table}.human_clicks + excluded.human_clicks,"
            f" all_clicks = {table}.all_clicks + excluded.all_clicks",
            with_link_id_again(counted[model]),
        )


def insert_if_link_exists(model) -> str:
    """An INSERT of one (link id, *facet, human clicks, all clicks) row into `model`'s table, which
    inserts nothing when the link is gone: a link deleted after the pass counted its clicks and
    before it wrote would otherwise fail the pass's commit on the foreign key (and its rows would
    wait for the next pass). Its parameters: the row, then the link id again (with_link_id_again())."""
    columns = ["link_id", *FACETS[model], "human_clicks", "all_clicks"]
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(['%s'] * len(columns))}"
        f" WHERE EXISTS (SELECT 1 FROM {Link._meta.db_table} WHERE id = %s)"
    )


def with_link_id_again(rows: list) -> list:
    return [(*row, row[0]) for row in rows]
