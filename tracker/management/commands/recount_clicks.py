"""manage.py recount_clicks: rebuild every figure derived from the clicks."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from links.models import Link
from tracker.derivation import recount_click_figures


class Command(BaseCommand):
    help = _(
        "Recount every link's click counters, its clicks per country and per device, and the quarter-hour "
        "rollup from the clicks, and put the worker's watermark at the last click. Safe while the web and "
        "the worker run."
    )

    def handle(self, *args, **options):
        # The progress bar redraws itself with "\r"; OutputWrapper would end each redraw with a newline.
        self.stdout.ending = ""
        try:
            with tqdm(total=Link.objects.count(), desc=_("Links"), unit="link", file=self.stdout) as progress:
                links = recount_click_figures(progress=progress.update)
        finally:
            self.stdout.ending = "\n"
        self.stdout.write(
            self.style.SUCCESS(_("Recounted the clicks of %(links)d links and the rollup.") % {"links": links})
        )
