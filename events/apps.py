from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Hot-lead alerts"

    def ready(self):
        from events import checks  # noqa: F401  (registers the system checks)
