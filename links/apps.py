from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = "Links"

    def ready(self):
        from links import tracking_domains  # noqa: F401  (connects the signals that refresh the known domains)
