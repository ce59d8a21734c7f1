from django.apps import AppConfig
from django.db.models.signals import pre_delete


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Click tracking"

    def ready(self):
        from links.models import Link
        from tracker import checks  # noqa: F401  (registers the system checks)
        from tracker.signals import note_deleted_link_clicks

        # Every way a link goes (API, admin, forget_prospect, a campaign deleted) takes its clicks
        # with it: their rolled-up quarters are recounted by the worker.
        pre_delete.connect(note_deleted_link_clicks, sender=Link, dispatch_uid="tracker.note_deleted_link_clicks")
