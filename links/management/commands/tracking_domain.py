"""Add, list and remove tracking domains; point campaigns at them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from links.models import Campaign, TrackingDomain


class Command(BaseCommand):
    help = _(
        "Tracking domains: `add HOST [--root-url URL] [--not-found-url URL] [--campaign NAME ...]` "
        "(again to update), `list`, `remove HOST`. Takes effect without a restart."
    )

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        add = subcommands.add_parser("add", help=_("Add a tracking domain, or update one."))
        add.add_argument("host")
        add.add_argument("--root-url", help=_("Where the domain's root redirects (default: the 404 page)."))
        add.add_argument("--not-found-url", help=_("Where unknown tokens redirect (default: the 404 page)."))
        add.add_argument(
            "--campaign", action="append", default=[], help=_("A campaign that uses it (repeat; created if new).")
        )
        subcommands.add_parser("list", help=_("List tracking domains and their campaigns."))
        remove = subcommands.add_parser(
            "remove", help=_("Remove a tracking domain (its campaigns fall back to PUBLIC_BASE_URL).")
        )
        remove.add_argument("host")

    def handle(self, *args, action, **options):
        if action == "add":
            return self.add(options["host"], options["root_url"], options["not_found_url"], options["campaign"])
        if action == "list":
            return self.list_domains()
        return self.remove(options["host"])

    def add(self, host, root_url, not_found_url, campaign_names):
        host = host.strip().lower().rstrip(".")
        with transaction.atomic():
            domain = TrackingDomain.objects.filter(host=host).first() or TrackingDomain(host=host)
            created = domain.pk is None
            if root_url is not None:
                domain.root_url = root_url
            if not_found_url is not None:
                domain.not_found_url = not_found_url
            try:
                domain.full_clean()
            except ValidationError as error:
                raise CommandError(
                    "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
                ) from None
            domain.save()
            campaigns = Campaign.objects.named(campaign_names) if campaign_names else {}
            Campaign.objects.filter(pk__in=[c.pk for c in campaigns.values()]).update(tracking_domain=domain)
        self.stdout.write(
            (_("Added tracking domain %s.") if created else _("Updated tracking domain %s.")) % domain.host
        )
        for name in sorted(campaigns):
            self.stdout.write(
                _("Campaign %(campaign)s now sends %(scheme)s://%(host)s/t/… links.")
                % {"campaign": name, "host": host, "scheme": settings.TRACKING_DOMAIN_SCHEME}
            )
        self.stdout.write(
            _("Point %(host)s at this server (a DNS CNAME) and give the reverse proxy a certificate for it.")
            % {"host": host}
        )

    def list_domains(self):
        domains = TrackingDomain.objects.prefetch_related("campaigns")
        if not domains:
            self.stdout.write(_("No tracking domains."))
        for domain in domains:
            campaigns = ", ".join(campaign.name for campaign in domain.campaigns.all()) or "-"
            self.stdout.write(
                "\t".join([domain.host, domain.root_url or "404", domain.not_found_url or "404", campaigns])
            )

    def remove(self, host):
        deleted, _rows = TrackingDomain.objects.filter(host=host.strip().lower()).delete()
        if not deleted:
            raise CommandError(_("No tracking domain %r.") % host)
        self.stdout.write(_("Removed tracking domain %s; its campaigns use PUBLIC_BASE_URL again.") % host)
