"""Forgetting a prospect (GDPR erasure): one function every caller uses, the command and the admin.

Removes the person everywhere the application keeps them: their links in every campaign with
their clicks (cascade), the admin's change-log entries that name them, and uploaded import files
still waiting in IMPORT_FOLDER that contain their e-mail. Apps that keep more about a prospect
(e.g. delivered events) connect to `prospect_forgotten` and delete theirs in the same transaction."""

from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal

from links.import_storage import import_folder
from links.models import Link

# Sent inside the transaction with `emails` (a set of lower-cased e-mails) and `report`
# (a ForgetReport whose `other` dict a receiver adds its counts to, e.g. {"events": 3}).
prospect_forgotten = Signal()


@dataclass
class ForgetReport:
    emails: set
    links: int = 0
    clicks: int = 0
    campaigns: list = field(default_factory=list)
    log_entries: int = 0
    import_files: int = 0
    other: dict = field(default_factory=dict)


def links_of(emails) -> QuerySet:
    """Every link of these e-mails, matched case-insensitively, in every campaign."""
    matching = Q()
    for email in emails:
        matching |= Q(email__iexact=email)
    return Link.objects.filter(matching) if emails else Link.objects.none()


def forget_prospects(emails) -> ForgetReport:
    """Delete every trace of the prospects with these e-mails that the application holds; return
    what went."""
    emails = {email.strip().lower() for email in emails if email and email.strip()}
    report = ForgetReport(emails=emails)
    with transaction.atomic():
        links = links_of(emails)
        link_rows = list(links.values_list("pk", "first_name", "last_name", "campaign__name"))
        report.campaigns = sorted({campaign for *_, campaign in link_rows})
        report.log_entries = forget_log_entries(emails, link_rows)
        _, deleted = links.delete()
        report.links = deleted.get("links.Link", 0)
        report.clicks = deleted.get("tracker.Click", 0)
        prospect_forgotten.send(sender=Link, emails=emails, report=report)
    report.import_files = forget_import_files(emails)
    return report


def forget_log_entries(emails, link_rows) -> int:
    """Delete the admin change-log rows about these links or naming these e-mails."""
    link_type = ContentType.objects.get_for_model(Link)
    about = Q(content_type=link_type, object_id__in=[str(pk) for pk, *_ in link_rows])
    for email in emails:
        about |= Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    names = {f"{first} {last}".strip() for _, first, last, _ in link_rows} - {""}
    for name in names:
        about |= Q(content_type=link_type, object_repr__icontains=name)
    deleted, _ = LogEntry.objects.filter(about).delete()
    return deleted


def forget_import_files(emails) -> int:
    """Delete uploaded import files (waiting between preview and confirmation) that contain one
    of these e-mails; return how many."""
    removed = 0
    for path in import_folder().iterdir():
        if not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8", errors="ignore").lower()
        except OSError:
            continue
        if any(email in text for email in emails):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
