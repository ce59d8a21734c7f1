"""Campaigns and the tracking links handed to Clay, one per prospect."""

import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from links.accounts import account_of
from links.icp import database_upper_forms, icp_key, spellings_to_store, tidy_icp
from links.signals import links_saved

# Verdict of a human click, as stored by tracker.Click. Spelled here, not imported, so that
# `links` stays the bottom layer (tracker and analytics import links, never the other way).
HUMAN_VERDICT = "human"
NOT_DEFINED_ICP = "Non défini"


def icp_label(icp: str | None) -> str:
    """The ICP as the figures, the CSV and the webhooks show it: "Non défini" when there is none."""
    return icp or NOT_DEFINED_ICP


HOST_PATTERN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?")

TOKEN_BYTES = 8  # 64 bits of randomness -> 11 URL-safe characters


class DestinationUrlValidator(URLValidator):
    """Prospects land on web pages only: javascript:, data: or ftp: destinations are refused. A URL
    longer than the field is left to the length check, whose message is the true one."""

    def __call__(self, value):
        if isinstance(value, str) and len(value) > self.max_length:
            return
        super().__call__(value)


validate_destination_url = DestinationUrlValidator(
    schemes=["http", "https"], message=_("Enter an absolute http:// or https:// URL with a host.")
)

# The prospect fields a repeat of the same (email, campaign, destination_url) may update.
PROSPECT_FIELDS = ("first_name", "last_name", "icp", "sent_at", "channel")

# Maintained by the worker from the clicks (tracker.derivation, tracker.counters), never written by
# save(); in the order tracker.counters.LinkCounts holds them.
CLICK_COUNTERS = (
    "human_clicks",
    "machine_clicks",
    "first_human_click_at",
    "last_human_click_at",
    "first_click_at",
    "last_click_at",
)
CLICK_COUNTER_FIELDS = frozenset(CLICK_COUNTERS)

# Maintained by the worker from the clicks (tracker.forwarding), never written by save().
SHARING_FIELDS = frozenset(
    {"shared", "shared_devices", "shared_networks", "shared_first_click_at", "shared_last_click_at"}
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
            # ignore_conflicts: a concurrent request may create the same campaign meanwhile; sorted,
            # so that two such requests take the rows' locks in the same order (no deadlock).
            self.bulk_create([self.model(name=name) for name in sorted(missing)], ignore_conflicts=True)
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
        verbose_name_plural = _("tracking domains")

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
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    """A link's click status. The values are the CSV export's and the API's words, in English
    whatever the language; the labels are what the admin shows."""

    CLICKED = "Clicked", _("Clicked")
    SCANNER_ONLY = "Scanner only", _("Scanner only")
    NOT_CLICKED = "Not clicked", _("Not clicked")


class LinkQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Create the links, each with its account worked out from its e-mail (as save() does)."""
        objs = list(objs)
        for link in objs:
            link.account = account_of(link.email)
        return super().bulk_create(objs, *args, **kwargs)

    def save_prospects(self, prospects):
        """Create or update one link per prospect and return [(link, created)] in the order given.

        Each prospect is a dict with `email`, `campaign` (a name) and `destination_url`, plus the
        PROSPECT_FIELDS it gives. The same (email, campaign, destination_url) again reuses its link
        (token unchanged) and updates the fields given. Bulk queries, never one per prospect
        (inserts are batched only by the database's parameter limit: 999 on SQLite). If a
        concurrent request inserts the same prospect first, the batch is retried once inside a
        savepoint, where it finds that link.

        Rows are inserted and updated sorted by that key, whatever the order sent: two requests
        with the same prospects in different orders then lock them in the same order instead of
        deadlocking on PostgreSQL. links_saved is sent with the links saved.
        """
        prospects = self.with_stored_icp_spellings(prospects)
        try:
            with transaction.atomic(using=self.db):
                saved = self._save_prospects(prospects)
        except IntegrityError:
            with transaction.atomic(using=self.db):
                saved = self._save_prospects(prospects)
        links_saved.send(sender=self.model, links=[link for link, _ in saved])
        return saved

    def icp_spellings(self, labels):
        """Return {label: the spelling to store} for `labels` (see links.icp.spellings_to_store).

        One indexed lookup (link_icp_upper) per distinct ICP among `labels`, whatever the number of
        links: Clay posts one prospect at a time, so this runs on every POST. The lookup takes every
        form the database's UPPER() may have given the stored spelling (links.icp.database_upper_forms:
        SQLite capitalises ASCII letters only), and links.icp matches the spellings found by casefold."""
        labels = [label for label in labels if tidy_icp(label)]
        stored = {}
        for label in {icp_key(label): label for label in labels}.values():  # one label per ICP
            forms = database_upper_forms(label)
            matching = self.annotate(icp_upper=Upper("icp")).filter(icp_upper__in=forms).order_by()
            stored.update((spelling, 1) for spelling in matching.values_list("icp", flat=True)[:1])
        return spellings_to_store(labels, stored)

    def with_stored_icp_spellings(self, prospects):
        """Return `prospects` with each ICP spelled as it is (or will be) stored."""
        spellings = self.icp_spellings([p["icp"] for p in prospects if p.get("icp")])
        if not spellings:
            return prospects
        return [{**p, "icp": spellings.get(p["icp"], p["icp"])} if p.get("icp") else p for p in prospects]

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
        self.bulk_create([new[key] for key in sorted(new)])
        if changed:
            self.bulk_update([changed[pk] for pk in sorted(changed)], PROSPECT_FIELDS)
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
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_token, editable=False)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), max_length=254)
    icp = models.CharField("ICP", max_length=100, null=True, blank=True)
    # No index of its own: link_campaign_human_clicks leads with the campaign (one index fewer to
    # write on every counters update).
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="links", db_index=False
    )
    destination_url = models.URLField(_("destination URL"), max_length=2048)
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # The link's clicks summed up, derived from the clicks by the background worker
    # (tracker/derivation.py, a second behind them): the figures read these instead of
    # scanning a million clicks. Link.save() never writes them (see save()).
    human_clicks = models.PositiveIntegerField(_("human clicks"), default=0, editable=False)
    machine_clicks = models.PositiveIntegerField(default=0, editable=False)
    first_human_click_at = models.DateTimeField(null=True, editable=False)
    last_human_click_at = models.DateTimeField(null=True, editable=False)
    first_click_at = models.DateTimeField("first click (any verdict)", null=True, editable=False)
    last_click_at = models.DateTimeField("last click (any verdict)", null=True, editable=False)

    # The company (e-mail domain, or the full e-mail on a free-mail domain: links.accounts), set on
    # every save from the e-mail, stored so that the accounts figure is one indexed GROUP BY.
    account = models.CharField(_("account"), max_length=254, blank=True, editable=False)
    # Evidence that the link was forwarded inside the company, kept by the worker from the link's
    # settled human clicks (tracker.forwarding); never changes a click's verdict.
    shared = models.BooleanField(_("forwarded or shared"), default=False, editable=False)
    shared_devices = models.PositiveIntegerField("devices (user agents) of its human clicks", default=0, editable=False)
    shared_networks = models.PositiveIntegerField("networks of its human clicks", default=0, editable=False)
    shared_first_click_at = models.DateTimeField("first human click seen for sharing", null=True, editable=False)
    shared_last_click_at = models.DateTimeField("last human click seen for sharing", null=True, editable=False)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        indexes = [
            # Links sent and human clicks per campaign (the campaign drop-down) from the index alone.
            models.Index(fields=["campaign", "human_clicks"], name="link_campaign_human_clicks"),
            # The accounts figure (GROUP BY account) and the links table's account filter.
            models.Index(fields=["account", "created_at"], name="link_account_created"),
            # The links clicked in a period (their last click in it), found without reading every link.
            models.Index(fields=["last_human_click_at"], name="link_last_human_click"),
            models.Index(fields=["last_click_at"], name="link_last_click"),
            # The stored spelling of an ICP, whatever the case it arrives in (LinkQuerySet.icp_spellings).
            models.Index(Upper("icp"), name="link_icp_upper"),
        ]
        constraints = [
            # Clay re-sends the same row: the prospect (not the destination) is the identity.
            models.UniqueConstraint(fields=["email", "campaign", "destination_url"], name="unique_link_per_prospect"),
        ]

    def __str__(self):
        return f"{self.full_name or self.email} ({self.campaign})"

    def save(self, *args, **kwargs):
        """Save, never writing the click counters of an existing row: they may have moved since
        this object was loaded (a click between opening the admin's form and saving it). The
        account follows the e-mail."""
        self.account = account_of(self.email)
        if not self._state.adding and not kwargs.get("force_insert"):
            update_fields = kwargs.get("update_fields")
            if update_fields is None:
                update_fields = [field.name for field in self._meta.concrete_fields if not field.primary_key]
            elif "email" in update_fields:
                update_fields = [*update_fields, "account"]
            kwargs["update_fields"] = [
                name for name in update_fields if name not in CLICK_COUNTER_FIELDS and name not in SHARING_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def icp_label(self):
        return icp_label(self.icp)
