"""Campaigns and the tracking links handed to Clay, one per prospect."""
import secrets

from django.db import models
from django.db.models import Case, Count, Max, Min, Q, Value, When

# Verdict of a human click, as stored by tracker.Click. Spelled here, not imported, so that
# `links` stays the bottom layer (tracker and analytics import links, never the other way).
HUMAN_VERDICT = "human"
NOT_DEFINED_ICP = "Non défini"

TOKEN_BYTES = 8  # 64 bits of randomness -> 11 URL-safe characters


def new_token():
    """Return a fresh random, URL-safe tracking token (never sequential, never guessable)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class Campaign(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    CLICKED = "Clicked"
    SCANNER_ONLY = "Scanner only"
    NOT_CLICKED = "Not clicked"


class LinkQuerySet(models.QuerySet):
    def with_click_summary(self):
        """Annotate each link with its all-time human `clicks`, `first_click`, `last_click`,
        `machine_clicks` and `status` (Clicked / Scanner only / Not clicked), in one SQL query."""
        human = Q(clicks__verdict=HUMAN_VERDICT)
        return self.annotate(
            click_count=Count("clicks", filter=human),
            machine_clicks=Count("clicks", filter=~human),
            first_click=Min("clicks__clicked_at", filter=human),
            last_click=Max("clicks__clicked_at", filter=human),
        ).annotate(
            status=Case(
                When(click_count__gt=0, then=Value(Status.CLICKED.value)),
                When(machine_clicks__gt=0, then=Value(Status.SCANNER_ONLY.value)),
                default=Value(Status.NOT_CLICKED.value),
                output_field=models.CharField(),
            )
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

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Clay re-sends the same row: the prospect (not the destination) is the identity.
            models.UniqueConstraint(
                fields=["email", "campaign", "destination_url"], name="unique_link_per_prospect"
            ),
        ]

    def __str__(self):
        return f"{self.full_name or self.email} ({self.campaign})"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def icp_label(self):
        return self.icp or NOT_DEFINED_ICP
