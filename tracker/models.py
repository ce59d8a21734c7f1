"""Clicks on tracking links, each with the verdict of the bot/scanner classifier."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from links.models import HUMAN_VERDICT, Link

USER_AGENT_MAX_LENGTH = 512
REFERER_MAX_LENGTH = 512


class Verdict(models.TextChoices):
    HUMAN = HUMAN_VERDICT, gettext_lazy("Human")
    SCANNER = "scanner", gettext_lazy("E-mail security scanner")
    PREVIEW = "preview", gettext_lazy("Link preview")
    PREFETCH = "prefetch", gettext_lazy("Browser prefetch")
    BOT = "bot", gettext_lazy("Bot")
    INTERNAL = "internal", gettext_lazy("Internal (the team)")


class DeviceType(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    MOBILE = "mobile", "Mobile"
    TABLET = "tablet", "Tablet"
    OTHER = "other", "Other"


# A click's device columns are blank until the worker describes its user agent (tracker.devices).
NOT_DESCRIBED = ""


class Click(models.Model):
    # No single-column indexes on link or clicked_at: the covering indexes below lead with each of
    # them, and every index is one more write on the redirect's INSERT.
    # No foreign key constraint in the database either: on PostgreSQL its check locks the link's
    # row on every click (a third of the INSERT's cost). Deleting a link still deletes its clicks
    # (Django's cascade), the redirect writes only for a link it has just read, a held click is
    # written only if its link still exists, and a click whose link was deleted in between is
    # deleted by the next derivation pass (tracker.derivation.delete_clicks_of_deleted_links).
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="clicks", db_index=False, db_constraint=False)
    clicked_at = models.DateTimeField(gettext_lazy("clicked at"), default=timezone.now)
    ip = models.GenericIPAddressField(
        gettext_lazy("client IP (anonymised unless configured otherwise)"), null=True, blank=True
    )
    user_agent = models.CharField(gettext_lazy("user agent"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    referer = models.CharField(gettext_lazy("referer"), max_length=REFERER_MAX_LENGTH, blank=True)
    verdict = models.CharField(gettext_lazy("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.HUMAN)
    reason = models.CharField(gettext_lazy("reason"), max_length=100, blank=True)
    # The country the full IP address is registered to (ISO 3166 alpha-2), resolved at click time
    # before the address is anonymised; blank when unknown (private, reserved or missing address).
    country = models.CharField(max_length=2, blank=True, db_default="")
    # Where GEOIP_MMDB_PATH locates the full address (English name), resolved at click time like the
    # country; blank without that database or when it has no city for the address.
    city = models.CharField(max_length=100, blank=True, db_default="")
    # From the user agent, filled off the redirect path by the worker (tracker.devices).
    device_type = models.CharField(max_length=10, choices=DeviceType.choices, blank=True, db_default=NOT_DESCRIBED)
    os = models.CharField("operating system", max_length=50, blank=True, db_default="")
    browser = models.CharField(max_length=50, blank=True, db_default="")

    class Meta:
        ordering = ["-clicked_at", "-id"]
        verbose_name = gettext_lazy("click")
        verbose_name_plural = gettext_lazy("clicks")
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
            # The clicks whose user agent the worker has not described yet (tracker.devices): a
            # handful at any time, so the index stays tiny.
            models.Index(fields=["id"], condition=models.Q(device_type=NOT_DESCRIBED), name="click_not_described"),
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
    rows exist only for quarters before the watermark; the worker (tracker.derivation) keeps them
    exact when a click lands, changes or goes away below it."""

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


class ClickDerivation(models.Model):
    """The single row saying how far the worker has derived the click figures (tracker.derivation):
    every click up to `last_click_id` is in the link counters and the rollup, except the ids in
    `missing_click_ids` (ranges skipped while their insert was still in flight), and the figures
    counted every click stored before `figures_as_of`."""

    last_click_id = models.BigIntegerField(default=0)
    # [[first id, last id, unix time it was first missed], ...], kept MISSING_CLICK_GRACE seconds.
    missing_click_ids = models.JSONField(default=list)
    figures_as_of = models.DateTimeField(null=True)
    # Moves on with every pass that writes: a pass that counted before another one wrote writes nothing.
    pass_number = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Click figures derived up to click {self.last_click_id}"


class StaleClickFigure(models.Model):
    """A figure to recount because clicks already derived changed or went away (a link deleted,
    a click reclassified or moved): a link's counters (`link_id`) or a rolled-up quarter hour
    (`quarter_start`). Written beside the change, consumed by the worker."""

    link_id = models.BigIntegerField(null=True)  # not a foreign key: the link may be gone
    quarter_start = models.DateTimeField(null=True)

    def __str__(self):
        return f"Recount link {self.link_id}" if self.link_id else f"Recount the quarter from {self.quarter_start}"


class WrittenHeldClick(models.Model):
    """The key of a click that a web host held during a database outage and that has since been
    written to the clicks table (tracker.held_clicks): inserted in the same transaction as the
    click, its primary key makes writing a held click twice impossible, whatever crashes between
    writing it and removing it from the host's spool."""

    key = models.CharField(max_length=64, primary_key=True)
    written_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Held click {self.key} written at {self.written_at:%Y-%m-%d %H:%M}"


class LinkCountryCount(models.Model):
    """A link's clicks from one country and city (tracker.facets): recounted from its clicks by the
    worker (tracker.derivation), so that the all-time countries and cities figures sum a few rows
    per link instead of scanning every click. The city is blank without a city database
    (GEOIP_MMDB_PATH), or when it knows none for the address."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="country_counts", db_index=False)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True, db_default="")
    human_clicks = models.PositiveIntegerField()
    all_clicks = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Also the index the campaign filter reaches the rows of its links through.
            models.UniqueConstraint(fields=["link", "country", "city"], name="link_country_city_count_unique"),
        ]
        indexes = [
            # The all-time GROUP BY over every link, read from the index alone.
            models.Index(fields=["country", "human_clicks", "all_clicks"], name="link_country_count_figure"),
            models.Index(
                fields=["city", "country", "human_clicks", "all_clicks"],
                name="link_city_count_figure",
                condition=~models.Q(city=""),
            ),
        ]

    def __str__(self):
        place = f"{self.city}, {self.country}" if self.city else self.country or "?"
        return f"{self.all_clicks} clicks ({self.human_clicks} human) from {place} on link {self.link_id}"


class LinkDeviceCount(models.Model):
    """A link's clicks from one device type, OS and browser (tracker.facets), recounted by the
    worker like LinkCountryCount. Clicks the describe job has not reached yet count under blank
    names until their description changes the link's rows (tracker.devices)."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="device_counts", db_index=False)
    device_type = models.CharField(max_length=10, choices=DeviceType.choices, blank=True)
    os = models.CharField("operating system", max_length=50, blank=True)
    browser = models.CharField(max_length=50, blank=True)
    human_clicks = models.PositiveIntegerField()
    all_clicks = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "device_type", "os", "browser"], name="link_device_count_unique"),
        ]
        indexes = [
            models.Index(
                fields=["device_type", "os", "browser", "human_clicks", "all_clicks"], name="link_device_count_figure"
            ),
        ]

    def __str__(self):
        device = " / ".join(name or "?" for name in (self.device_type, self.os, self.browser))
        return f"{self.all_clicks} clicks ({self.human_clicks} human) from {device} on link {self.link_id}"
