"""The click counters of each link (Link.human_clicks ... last_click_at), recounted from the clicks.

Always a recount, never an increment: the worker (tracker.derivation) recounts the links whose
clicks arrived, changed or went away, so that late clicks, deletions and reclassification leave
every counter equal to its clicks.
"""

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from links.models import Link
from tracker.models import Click, Verdict


def rebuild_link_counters(link_ids=None):
    """Recount the counters of every link (or of `link_ids`) from their clicks in one UPDATE with a
    correlated aggregate per counter (an index seek per link); return how many links were updated."""
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
