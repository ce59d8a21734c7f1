"""Re-apply the current bot/scanner rules to the clicks already stored."""

from collections import Counter, deque
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from links.models import Campaign
from tracker.classification import (
    RECENT_CLICKS_LIMIT,
    SCANNER,
    RecentClick,
    burst_companions,
    classify,
)
from tracker.client_ip import client_network, parse_ip
from tracker.derivation import derive_click_figures, mark_figures_stale
from tracker.models import Click
from tracker.recording import click_facts

# Verdicts decided by what the request carried (headers, the team cookie, ?lt_no_track): not stored.
REQUEST_REASON_PREFIXES = ("header:", "request:")


class Command(BaseCommand):
    help = (
        "Re-classify stored clicks with the current rules (user agent, referer, network on the stored "
        "IP, timing after sent_at, bursts). Verdicts that came from request headers are kept: headers "
        "are not stored. Prints how many clicks changed verdict."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, save nothing.")
        parser.add_argument("--campaign", help="Only the clicks on this campaign's links (its name).")
        parser.add_argument("--batch-size", type=int, default=500, help="Links per batch.")

    def handle(self, *args, dry_run, campaign, batch_size, **options):
        clicks = Click.objects.select_related("link").only(
            "id",
            "link_id",
            "link__sent_at",
            "clicked_at",
            "ip",
            "user_agent",
            "referer",
            "verdict",
            "reason",
        )
        if campaign is not None:
            if not Campaign.objects.filter(name=campaign).exists():
                raise CommandError(f"No campaign named {campaign!r}.")
            clicks = clicks.filter(link__campaign__name=campaign)
        clicks = clicks.order_by("link_id", "clicked_at", "id")
        link_ids = list(clicks.order_by("link_id").values_list("link_id", flat=True).distinct())

        reclassifier = Reclassifier()
        # The progress bar writes "\r" updates; OutputWrapper would end each one with a newline.
        self.stdout.ending = ""
        with tqdm(total=clicks.count(), file=self.stdout, unit="click") as progress:
            # Batches of whole links, so that a link's clicks are seen together, in time order.
            for start in range(0, len(link_ids), batch_size):
                batch_links = link_ids[start : start + batch_size]
                batch = list(clicks.filter(link_id__gte=batch_links[0], link_id__lte=batch_links[-1]))
                for click in batch:
                    reclassifier.add(click)
                changed = reclassifier.take_changed()
                if changed and not dry_run:
                    with transaction.atomic():
                        # The links' counters and the rolled-up quarters follow on the next pass.
                        mark_figures_stale(Click.objects.filter(pk__in=[click.pk for click in changed]))
                        Click.objects.bulk_update(changed, ["verdict", "reason"], batch_size=500)
                progress.update(len(batch))
        self.stdout.ending = "\n"
        if not dry_run:
            while derive_click_figures():  # the figures right now, whether a worker runs or not
                pass

        self.stdout.write(f"Checked {reclassifier.checked} clicks.")
        transitions = +reclassifier.transitions
        for (before, after), count in sorted(transitions.items()):
            self.stdout.write(f"{before} → {after}: {count}")
        if not transitions:
            self.stdout.write("No verdict changed.")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")


class Reclassifier:
    """Feeds clicks, in (link, time) order, through the same rules as the redirect, keeping the
    last BURST_WINDOW_SECONDS of the current link's clicks to find bursts."""

    def __init__(self):
        self.window = deque()
        self.original_verdicts = {}  # clicks in the window or awaiting save, by id
        self.changed = {}
        self.transitions = Counter()
        self.checked = 0
        self.burst_window = timedelta(seconds=settings.BURST_WINDOW_SECONDS)

    def add(self, click):
        self.checked += 1
        self.original_verdicts[click.id] = click.verdict
        if self.window and self.window[0].link_id != click.link_id:
            self.window.clear()
        while self.window and self.window[0].clicked_at < click.clicked_at - self.burst_window:
            self.window.popleft()
        ip = parse_ip(click.ip or "")
        recent = list(islice(reversed(self.window), RECENT_CLICKS_LIMIT))  # as the redirect's SELECT
        facts = click_facts(
            ip=ip,
            user_agent=click.user_agent,
            referer=click.referer,
            sent_at=click.link.sent_at,
            clicked_at=click.clicked_at,
            recent_clicks=tuple(
                RecentClick(earlier.id, client_network(parse_ip(earlier.ip or "")), earlier.verdict)
                for earlier in recent
            ),
        )
        if not click.reason.startswith(REQUEST_REASON_PREFIXES):
            verdict, reason = classify(facts)
            self._set(click, verdict, reason)
            companions = set(burst_companions(facts, reason))
            for earlier in recent:
                if earlier.id in companions:
                    self._set(earlier, SCANNER, reason)
        self.window.append(click)

    def take_changed(self):
        """Return the clicks whose verdict or reason changed since the last call."""
        changed, self.changed = list(self.changed.values()), {}
        window_ids = {click.id for click in self.window}
        self.original_verdicts = {id_: v for id_, v in self.original_verdicts.items() if id_ in window_ids}
        return changed

    def _set(self, click, verdict, reason):
        if (click.verdict, click.reason) == (verdict, reason):
            return
        original = self.original_verdicts[click.id]
        if click.verdict != original:
            self.transitions[original, click.verdict] -= 1
        if verdict != original:
            self.transitions[original, verdict] += 1
        click.verdict, click.reason = verdict, reason
        self.changed[click.id] = click
