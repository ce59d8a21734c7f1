"""(Re)fill the destination cache with every link, for the redirect to use while the database is down."""

from itertools import islice

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from links.models import Link
from tracker.destinations import forget_tokens, remember_links
from tracker.host_store import host_connection


def batched(iterable, size):
    """itertools.batched of Python 3.12."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = (
        "Store every link's destination in the destination cache (Redis when REDIS_URL is set, else "
        "this host's store) and drop the entries of links that no longer exist (this host's store). "
        "Run it after restoring a backup, after emptying Redis, or on a new web host without Redis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="Links per write.")

    def handle(self, *args, batch_size, **options):
        links = Link.objects.only("id", "token", "destination_url", "sent_at").order_by("id")
        total = links.count()
        self.stdout.ending = ""  # tqdm redraws its bar with "\r"
        with tqdm(total=total, unit="link", file=self.stdout, disable=None) as progress:
            for batch in batched(links.iterator(chunk_size=batch_size), batch_size):
                remember_links(batch)
                progress.update(len(batch))
        self.stdout.ending = "\n"
        dropped = 0 if settings.DESTINATION_CACHE_ALIAS else self.drop_deleted_links(batch_size)
        self.stdout.write(
            _("%(stored)d destinations stored, %(dropped)d of deleted links dropped.")
            % {"stored": total, "dropped": dropped}
        )

    def drop_deleted_links(self, batch_size):
        cached = [token for (token,) in host_connection().execute("SELECT token FROM destination")]
        dropped = []
        for batch in batched(cached, batch_size):
            existing = set(Link.objects.filter(token__in=batch).values_list("token", flat=True))
            dropped += [token for token in batch if token not in existing]
        forget_tokens(dropped)
        return len(dropped)
