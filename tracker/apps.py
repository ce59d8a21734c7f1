from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Click tracking"

    def ready(self):
        from tracker import team_browser  # noqa: F401  (connects the login signal that marks team browsers)
