"""Webhook endpoints, the hot-lead events of human clicks, and the delivery of each event to
each endpoint with a log of every attempt."""

import base64
import secrets

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from links.models import Campaign, Link
from tracker.models import Click

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
RESPONSE_EXCERPT_LENGTH = 500

validate_receiver_url = URLValidator(schemes=["http", "https"], message=_("Enter an http:// or https:// URL."))


def new_secret():
    """Return a fresh signing secret in the Standard Webhooks form: whsec_ + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_event_id():
    return "evt_" + secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    JSON = "json", _("Signed JSON (Standard Webhooks)")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams workflow")
    CLAY = "clay", _("Clay webhook source")


class EventType(models.TextChoices):
    FIRST_CLICK = "link.first_click", _("First human click of a link (hot lead)")
    CLICKED = "link.clicked", _("Every human click")


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=2048, validators=[validate_receiver_url])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.JSON)
    sends_first_click = models.BooleanField(_("sends link.first_click"), default=True)
    sends_every_click = models.BooleanField(_("sends link.clicked"), default=False)
    campaigns = models.ManyToManyField(
        Campaign,
        verbose_name=_("campaigns"),
        blank=True,
        related_name="webhook_endpoints",
        help_text=_("None selected: every campaign."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    clay_auth = models.CharField(
        _("Clay webhook auth token"),
        max_length=500,
        blank=True,
        help_text=_("Sent as x-clay-webhook-auth, for a Clay webhook source with authentication on."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.masked_url}"

    @property
    def masked_url(self):
        """The URL with its path hidden: Slack, Teams and Clay URLs carry their secret in the path."""
        scheme, _, rest = self.url.partition("://")
        host = rest.split("/", 1)[0]
        return f"{scheme}://{host}/…" if "/" in rest.strip("/") else self.url

    @property
    def event_types(self):
        """Return the event types this endpoint receives."""
        return [
            event_type
            for event_type, wanted in (
                (EventType.FIRST_CLICK, self.sends_first_click),
                (EventType.CLICKED, self.sends_every_click),
            )
            if wanted
        ]


class Event(models.Model):
    """A hot-lead event of one settled human click. `data` is the payload's flat data, written
    once, so that every attempt and every endpoint sends the same thing."""

    event_id = models.CharField(_("event id"), max_length=40, unique=True, default=new_event_id, editable=False)
    type = models.CharField(_("type"), max_length=30, choices=EventType.choices)
    link = models.ForeignKey(Link, verbose_name=_("link"), on_delete=models.CASCADE, related_name="events")
    click = models.ForeignKey(Click, verbose_name=_("click"), on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("occurred at"))
    data = models.JSONField(_("data sent"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            # The hot lead fires once per link, ever, whatever re-runs or re-classifications happen.
            models.UniqueConstraint(
                fields=["link"], condition=models.Q(type="link.first_click"), name="one_first_click_per_link"
            ),
            models.UniqueConstraint(fields=["click", "type"], name="one_event_of_each_type_per_click"),
        ]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (endpoint disabled)")


class Delivery(models.Model):
    """One event to one endpoint, until it is delivered or given up."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claim = models.CharField(max_length=32, blank=True, editable=False)  # the attempt holding it while SENDING
    claimed_at = models.DateTimeField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["endpoint", "status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return _("%(event)s → endpoint #%(endpoint)s: %(status)s") % {
            "event": self.event,
            "endpoint": self.endpoint_id,
            "status": self.get_status_display(),
        }


class DeliveryAttempt(models.Model):
    """The log of one HTTP attempt: when, how it ended, how long it took, what came back."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(_("attempted at"), db_index=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_excerpt = models.CharField(_("response (excerpt)"), max_length=RESPONSE_EXCERPT_LENGTH, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


class EventWatermark(models.Model):
    """The single row saying up to which click id the clicks were examined for events."""

    last_click_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Clicks examined for events up to #{self.last_click_id}"
