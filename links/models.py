"""Campaigns and the tracking links handed to Clay, one per prospect."""

import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _

# Verdict of a human click, as stored by tracker.Click. Spelled here, not imported, so that
# `links` stays the bottom layer (tracker and analytics import links, never the other way).
HUMAN_VERDICT = "human"
NOT_DEFINED_ICP = "Non défini"

HOST_PATTERN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?")

TOKEN_BYTES = 8  # 64 bits of randomness -> 11 URL-safe characters

# Prospects land on web pages only: javascript:, data: or ftp: destinations are refused.
validate_destination_url = URLValidator(
    schemes=["http", "https"], message="Enter an absolute http:// or https:// URL with a host."
)

# The prospect fields a repeat of the same (email, campaign, destination_url) may update.
PROSPECT_FIELDS = ("first_name", "last_name", "icp", "sent_at", "channel")

# Maintained by the database from the clicks table, never written by Django.
CLICK_COUNTER_FIELDS = frozenset(
    {
        "human_clicks",
        "machine_clicks",
        "first_human_click_at",
        "last_human_click_at",
        "first_click_at",
        "last_click_at",
    }
)


def new_token():
    """Return a fresh random, URL-safe tracking token (never sequential, never guessable)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class CampaignQuerySet(models.QuerySet):
    def named(self, names):
        """Return {name: Campaign} for `names`, creating the missing ones (first use creates)."""
        campaigns = {campaign.name: campaign for campaign in self.filter(name__in=names)}
        missing = set(names) - campaigns.keys()
        if missing:
            # ignore_conflicts: a concurrent request may create the same campaign meanwhile.
            self.bulk_create([self.model(name=name) for name in missing], ignore_conflicts=True)
            campaigns.update((campaign.name, campaign) for campaign in self.filter(name__in=missing))
        return campaigns


def validate_host(value):
    """A bare host name (go.example.com): no scheme, port, path or upper case."""
    if value != value.lower() or not HOST_PATTERN.fullmatch(value):
        raise ValidationError(
            _("Enter a host name in lower case, such as go.example.com (no scheme, port or path)."), code="invalid"
        )


class TrackingDomain(models.Model):
    """A host that serves only tracking URLs, e.g. go.wesser-recrutement.fr: links of the
    campaigns that use it get their tracking URLs on it. Its root and unknown tokens redirect to
    pages of the owner's choice (or answer the 404 page)."""

    host = models.CharField(_("host"), max_length=253, unique=True, validators=[validate_host])
    root_url = models.URLField(
        _("root URL"), max_length=2048, blank=True, help_text=_("Where https://HOST/ redirects; empty: the 404 page.")
    )
    not_found_url = models.URLField(
        _("not-found URL"),
        max_length=2048,
        blank=True,
        help_text=_("Where unknown or deleted tokens redirect; empty: the 404 page."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["host"]
        verbose_name = _("tracking domain")

    def __str__(self):
        return self.host


class Campaign(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    tracking_domain = models.ForeignKey(
        TrackingDomain,
        verbose_name=_("tracking domain"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
        help_text=_("Tracking URLs of this campaign's links use this host; empty: PUBLIC_BASE_URL."),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    CLICKED = "Clicked"
    SCANNER_ONLY = "Scanner only"
    NOT_CLICKED = "Not clicked"


class LinkQuerySet(models.QuerySet):
    def save_prospects(self, prospects):
        """Create or update one link per prospect and return [(link, created)] in the order given.

        Each prospect is a dict with `email`, `campaign` (a name) and `destination_url`, plus the
        PROSPECT_FIELDS it gives. The same (email, campaign, destination_url) again reuses its link
        (token unchanged) and updates the fields given. Bulk queries, never one per prospect
        (inserts are batched only by the database's parameter limit: 999 on SQLite). If a
        concurrent request inserts the same prospect first, the batch is retried once inside a
        savepoint, where it finds that link.
        """
        try:
            with transaction.atomic(using=self.db):
                return self._save_prospects(prospects)
        except IntegrityError:
            with transaction.atomic(using=self.db):
                return self._save_prospects(prospects)

    def _existing_links(self, prospects, campaigns):
        """Return {(email, campaign id, destination_url): Link} among `prospects`, in one query."""
        return {
            (link.email, link.campaign_id, link.destination_url): link
            for link in self.filter(
                campaign__in=campaigns.values(), email__in={p["email"] for p in prospects}
            ).select_related("campaign")
        }

    def _save_prospects(self, prospects):
        campaigns = Campaign.objects.named({p["campaign"] for p in prospects})

        def key(prospect):
            return prospect["email"], campaigns[prospect["campaign"]].pk, prospect["destination_url"]

        existing = self._existing_links(prospects, campaigns)
        new, changed = {}, {}
        for prospect in prospects:
            given = {name: prospect[name] for name in PROSPECT_FIELDS if name in prospect}
            link = existing.get(key(prospect))
            if link is None:
                link = new.setdefault(
                    key(prospect),
                    self.model(
                        email=prospect["email"],
                        campaign=campaigns[prospect["campaign"]],
                        destination_url=prospect["destination_url"],
                    ),
                )
            elif any(getattr(link, name) != value for name, value in given.items()):
                changed[link.pk] = link
            for name, value in given.items():
                setattr(link, name, value)
        self.bulk_create(new.values())
        if changed:
            self.bulk_update(changed.values(), PROSPECT_FIELDS)
        return [(existing.get(key(p)) or new[key(p)], key(p) in new) for p in prospects]

    def with_click_summary(self):
        """Annotate each link with its all-time human `click_count`, `first_click`, `last_click` and
        `status` (Clicked / Scanner only / Not clicked): read from the link's click counters, no join."""
        return self.annotate(
            click_count=F("human_clicks"),
            first_click=F("first_human_click_at"),
            last_click=F("last_human_click_at"),
            status=Case(
                When(human_clicks__gt=0, then=Value(Status.CLICKED.value)),
                When(machine_clicks__gt=0, then=Value(Status.SCANNER_ONLY.value)),
                default=Value(Status.NOT_CLICKED.value),
                output_field=models.CharField(),
            ),
        )


class Link(models.Model):
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254)
    icp = models.CharField("ICP", max_length=100, null=True, blank=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    destination_url = models.URLField(max_length=2048)
    channel = models.CharField(max_length=30, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The link's clicks summed up, kept exact by database triggers on the clicks table
    # (tracker/migrations/0003_click_counter_triggers.py): the figures read these instead of
    # scanning a million clicks. Django never writes them (see save()).
    human_clicks = models.PositiveIntegerField(default=0, editable=False)
    machine_clicks = models.PositiveIntegerField(default=0, editable=False)
    first_human_click_at = models.DateTimeField(null=True, editable=False)
    last_human_click_at = models.DateTimeField(null=True, editable=False)
    first_click_at = models.DateTimeField("first click (any verdict)", null=True, editable=False)
    last_click_at = models.DateTimeField("last click (any verdict)", null=True, editable=False)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Links sent and human clicks per campaign (the campaign drop-down) from the index alone.
            models.Index(fields=["campaign", "human_clicks"], name="link_campaign_human_clicks"),
        ]
        constraints = [
            # Clay re-sends the same row: the prospect (not the destination) is the identity.
            models.UniqueConstraint(fields=["email", "campaign", "destination_url"], name="unique_link_per_prospect"),
        ]

    def __str__(self):
        return f"{self.full_name or self.email} ({self.campaign})"

    def save(self, *args, **kwargs):
        """Save, never writing the click counters of an existing row: they may have moved since
        this object was loaded (a click between opening the admin's form and saving it)."""
        if not self._state.adding and not kwargs.get("force_insert"):
            update_fields = kwargs.get("update_fields")
            if update_fields is None:
                update_fields = [field.name for field in self._meta.concrete_fields if not field.primary_key]
            kwargs["update_fields"] = [name for name in update_fields if name not in CLICK_COUNTER_FIELDS]
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def icp_label(self):
        return self.icp or NOT_DEFINED_ICP
