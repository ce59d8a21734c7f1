from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Hot-lead alerts")

    def ready(self):
        from events import checks  # noqa: F401  (registers the system checks)
