from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = gettext_lazy("Access")
