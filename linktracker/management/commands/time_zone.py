"""Say which time zone the dashboard, the CSV and the admin show times in, and how to change it."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext, gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy("Print the time zone in use (TIME_ZONE, else the host's) and how to change it.")

    def handle(self, *args, **options):
        if os.environ.get("TIME_ZONE", "").strip():
            source = gettext("set by TIME_ZONE")
        else:
            source = gettext("the time zone of this machine")
        self.stdout.write(
            gettext(
                "Times are shown in %(zone)s (%(source)s). To use another zone, set TIME_ZONE, "
                "e.g. TIME_ZONE=Europe/Paris scripts/run"
            )
            % {"zone": settings.TIME_ZONE, "source": source}
        )
