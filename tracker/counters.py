"""The click counters of each link (Link.human_clicks ... last_click_at), recounted from the clicks.

Database triggers keep them exact on every insert, delete and update of a click
(migrations/0003_click_counter_triggers.py); recounting is for recovery, and for bulk loaders that
write clicks with the triggers dropped. Such loaders recount the clicks per quarter hour as well:
tracker.rollup.rebuild_rollup().
"""

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from links.models import Link
from tracker.models import Click, Verdict


def rebuild_link_counters(link_ids=None):
    """Recount the counters of every link (or of `link_ids`) from their clicks in one UPDATE with a
    correlated aggregate per counter; return how many links were updated."""
    clicks = Click.objects.filter(link=OuterRef("pk")).order_by().values("link")
    human = Q(verdict=Verdict.HUMAN)

    def aggregate(function, condition=None):
        return Subquery(clicks.filter(condition or Q()).annotate(value=function).values("value"))

    links = Link.objects.all() if link_ids is None else Link.objects.filter(pk__in=link_ids)
    return links.update(
        human_clicks=Coalesce(aggregate(Count("id"), human), 0),
        machine_clicks=Coalesce(aggregate(Count("id"), ~human), 0),
        first_human_click_at=aggregate(Min("clicked_at"), human),
        last_human_click_at=aggregate(Max("clicked_at"), human),
        first_click_at=aggregate(Min("clicked_at")),
        last_click_at=aggregate(Max("clicked_at")),
    )
