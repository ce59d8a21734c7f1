"""Fill the derived columns of stored clicks: device type, OS and browser of clicks not described
yet, the country and city (with GEOIP_MMDB_PATH) where the full IP address was kept, and the links'
forwarding evidence."""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from links.models import Link
from tracker.client_ip import parse_ip
from tracker.countries import city_of, country_of
from tracker.derivation import mark_links_stale, recount_links
from tracker.devices import BATCH_SIZE, describe_new_clicks
from tracker.models import NOT_DESCRIBED, Click


class Command(BaseCommand):
    help = (
        "Describe stored clicks (device type, OS, browser from the user agent), fill their country "
        "and city (with GEOIP_MMDB_PATH) when the full IP address was kept (ANONYMIZE_IPS=false), and rebuild every link's "
        "forwarding evidence with --sharing (after changing the SHARED_* settings or reclassify_clicks)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sharing", action="store_true", help="Also recompute the forwarding evidence of every link."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Clicks or links per batch.")

    def handle(self, *args, sharing, batch_size, **options):
        # The progress bars write "\r" updates; OutputWrapper would end each one with a newline.
        self.stdout.ending = ""
        described = self.describe_devices(batch_size)
        countries = self.fill_countries(batch_size) if not settings.ANONYMIZE_IPS else None
        cities = self.fill_cities(batch_size) if not settings.ANONYMIZE_IPS and settings.GEOIP_MMDB_PATH else None
        links = self.rebuild_sharing(batch_size) if sharing else None
        self.stdout.ending = "\n"
        self.stdout.write(_("Described the device of %(count)d clicks.") % {"count": described})
        if countries is None:
            self.stdout.write(
                _(
                    "Countries left as they are: stored addresses are anonymised (ANONYMIZE_IPS), the country needs the full address."
                )
            )
        else:
            self.stdout.write(_("Found the country of %(count)d clicks.") % {"count": countries})
        if cities is not None:
            self.stdout.write(_("Found the city of %(count)d clicks.") % {"count": cities})
        elif settings.GEOIP_MMDB_PATH:
            self.stdout.write(
                _(
                    "Cities left as they are: stored addresses are anonymised (ANONYMIZE_IPS), the city needs the full address."
                )
            )
        else:
            self.stdout.write(_("Cities left as they are: no city database (GEOIP_MMDB_PATH)."))
        if links is not None:
            self.stdout.write(_("Recomputed the forwarding evidence of %(count)d links.") % {"count": links})

    def describe_devices(self, batch_size):
        total = Click.objects.filter(device_type=NOT_DESCRIBED).count()
        described = 0
        with tqdm(total=total, file=self.stdout, unit="click", desc=_("devices")) as progress:
            while handled := describe_new_clicks(batch_size):
                described += handled
                progress.update(handled)
        return described

    def fill_countries(self, batch_size):
        """Clicks without a country whose stored address is a full one (IPs not anonymised); their
        links' country rows are recounted by the worker's next pass."""
        return self.fill_from_address("country", country_of, batch_size, _("countries"))

    def fill_cities(self, batch_size):
        """Clicks without a city whose stored address is a full one, looked up in GEOIP_MMDB_PATH."""
        return self.fill_from_address("city", city_of, batch_size, _("cities"))

    def fill_from_address(self, column, look_up, batch_size, label):
        """Fill `column` of the clicks where it is blank and the stored address is a full one, with
        look_up(address), batch by batch; their links are marked for the worker's next pass. Return
        how many clicks were filled."""
        clicks = Click.objects.filter(**{column: ""}, ip__isnull=False).order_by("id")
        found, last_id = 0, 0
        with tqdm(total=clicks.count(), file=self.stdout, unit="click", desc=label) as progress:
            while batch := list(clicks.filter(id__gt=last_id).values_list("id", "ip", "link_id")[:batch_size]):
                ids_by_value, link_ids = defaultdict(list), set()
                for click_id, ip, link_id in batch:
                    if value := look_up(parse_ip(ip)):
                        ids_by_value[value].append(click_id)
                        link_ids.add(link_id)
                with transaction.atomic():
                    for value, click_ids in ids_by_value.items():
                        found += Click.objects.filter(id__in=click_ids).update(**{column: value})
                    mark_links_stale(link_ids)
                last_id = batch[-1][0]
                progress.update(len(batch))
        return found

    def rebuild_sharing(self, batch_size):
        link_ids = list(Link.objects.order_by("id").values_list("id", flat=True))
        with tqdm(total=len(link_ids), file=self.stdout, unit="link", desc=_("sharing")) as progress:
            for start in range(0, len(link_ids), batch_size):
                batch = link_ids[start : start + batch_size]
                recount_links(batch)  # the forwarding evidence is counted with the counters
                progress.update(len(batch))
        return len(link_ids)
