"""GDPR erasure: delete every link of one prospect, with its clicks, in every campaign."""

from django.core.management.base import BaseCommand
from django.db import transaction

from links.models import Link


class Command(BaseCommand):
    help = "Delete a prospect's links and clicks in all campaigns (e-mail matched case-insensitively)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        links = Link.objects.filter(email__iexact=email.strip())
        with transaction.atomic():
            campaigns = sorted(set(links.values_list("campaign__name", flat=True)))
            _, deleted = links.delete()
        link_count = deleted.get("links.Link", 0)
        click_count = deleted.get("tracker.Click", 0)
        self.stdout.write(
            f"Deleted {link_count} link{'s' * (link_count != 1)} and {click_count} "
            f"click{'s' * (click_count != 1)} for {email.strip()}"
            + (f" (campaigns: {', '.join(campaigns)})." if campaigns else ".")
        )
