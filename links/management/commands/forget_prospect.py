"""GDPR erasure: forget a prospect everywhere the application keeps them (links.forgetting)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from links.forgetting import forget_prospects


class Command(BaseCommand):
    help = _(
        "Forget a prospect (e-mail matched case-insensitively): their links and clicks in all campaigns, "
        "the admin's change-log entries naming them and uploaded import files containing their e-mail."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        report = forget_prospects([email])
        link_count, click_count = report.links, report.clicks
        self.stdout.write(
            f"Deleted {link_count} link{'s' * (link_count != 1)} and {click_count} "
            f"click{'s' * (click_count != 1)} for {email.strip()}"
            + (f" (campaigns: {', '.join(report.campaigns)})." if report.campaigns else ".")
        )
        extras = {_("admin log entries"): report.log_entries, _("import files"): report.import_files, **report.other}
        if any(extras.values()):
            self.stdout.write(
                _("Also deleted: %s.") % ", ".join(f"{count} {what}" for what, count in extras.items() if count)
            )
