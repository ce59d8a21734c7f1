"""What the click figures need to hear about changes made elsewhere."""

from tracker.derivation import mark_figures_stale
from tracker.models import Click


def note_deleted_link_clicks(sender, instance, **kwargs):
    """A link is being deleted with its clicks: recount their rolled-up quarters on the next pass.
    Runs inside the deletion's transaction, before the clicks go."""
    mark_figures_stale(Click.objects.filter(link_id=instance.pk))
