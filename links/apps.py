from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = _("Links")

    def ready(self):
        from links import tracking_domains  # noqa: F401  (connects the signals that refresh the known domains)
