"""Clicks on tracking links, each with the verdict of the bot/scanner classifier."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from links.models import HUMAN_VERDICT, Link

USER_AGENT_MAX_LENGTH = 512
REFERER_MAX_LENGTH = 512


class Verdict(models.TextChoices):
    HUMAN = HUMAN_VERDICT, "Human"
    SCANNER = "scanner", "E-mail security scanner"
    PREVIEW = "preview", "Link preview"
    PREFETCH = "prefetch", "Browser prefetch"
    BOT = "bot", "Bot"


class Click(models.Model):
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField("client IP (anonymised unless configured otherwise)", null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    referer = models.CharField(max_length=REFERER_MAX_LENGTH, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.HUMAN)
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-clicked_at", "-id"]
        # Both carry every column the dashboard's figures read (id last: PostgreSQL needs it for an
        # index-only COUNT(id)), so those queries never touch the table (bench/run.py --explain).
        indexes = [
            # The redirect's recent clicks of a link; the cohort figures' clicks per link.
            models.Index(fields=["link", "clicked_at", "verdict", "id"], name="click_link_time_verdict"),
            # Activity figures: clicks in a period, by verdict, joined to their link. Time first, not
            # verdict: with verdict first SQLite (no ANALYZE statistics) picks this index for the
            # per-link subqueries and scans every human click once per link.
            models.Index(fields=["clicked_at", "verdict", "link", "id"], name="click_time_verdict_link"),
            # The machine clicks by verdict (5 % of the rows) without scanning the human ones. Partial,
            # so human clicks never write it and SQLite's planner never picks it for human figures.
            models.Index(
                fields=["verdict", "clicked_at", "link", "id"],
                condition=~models.Q(verdict=HUMAN_VERDICT),
                name="click_machine_verdict_time",
            ),
        ]

    def __str__(self):
        """Named after the prospect who clicked, at the configured time zone's time."""
        return _("%(verdict)s click by %(prospect)s at %(time)s") % {
            "verdict": self.get_verdict_display(),
            "prospect": self.link.full_name or self.link.email,
            "time": f"{timezone.localtime(self.clicked_at):%Y-%m-%d %H:%M}",
        }


class ClickQuarterCount(models.Model):
    """The clicks of one closed UTC quarter hour with one verdict, rolled up (tracker.rollup):
    rows exist only for quarters before the watermark, and the click triggers keep them exact."""

    quarter_start = models.DateTimeField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    clicks = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quarter_start", "verdict"], name="click_quarter_count_unique"),
        ]

    def __str__(self):
        return f"{self.clicks} {self.verdict} clicks in the quarter from {self.quarter_start:%Y-%m-%d %H:%M}"


class RollupWatermark(models.Model):
    """The single row saying up to which quarter boundary the clicks are rolled up (excluded)."""

    rolled_up_until = models.DateTimeField()

    def __str__(self):
        return f"Clicks rolled up until {self.rolled_up_until:%Y-%m-%d %H:%M}"
