from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Click tracking")

    def ready(self):
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from links.models import Link
        from links.signals import links_saved
        from tracker import (
            checks,  # noqa: F401  (registers the system checks)
            database_guard,
            destinations,
            team_browser,  # noqa: F401  (connects the login signal that marks team browsers)
        )
        from tracker.signals import note_deleted_link_clicks

        # Every way a link goes (API, admin, forget_prospect, a campaign deleted) takes its clicks
        # with it: their rolled-up quarters are recounted by the worker.
        pre_delete.connect(note_deleted_link_clicks, sender=Link, dispatch_uid="tracker.note_deleted_link_clicks")
        post_save.connect(destinations.remember_saved_link, sender=Link, dispatch_uid="destination-cache-save")
        post_delete.connect(destinations.forget_deleted_link, sender=Link, dispatch_uid="destination-cache-delete")
        links_saved.connect(destinations.remember_links_saved, dispatch_uid="destination-cache-bulk")
        connection_created.connect(database_guard.note_new_connection, dispatch_uid="short-busy-timeout-new")
        request_started.connect(database_guard.restore_busy_timeout, dispatch_uid="short-busy-timeout-restore")
