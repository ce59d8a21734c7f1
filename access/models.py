"""Scoped API tokens: what Clay and other clients send as `Authorization: Token <key>`."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_BYTES = 32  # 256 random bits -> 43 URL-safe characters
KEY_PREFIX_LENGTH = 8  # shown in lists and used to revoke; never enough to authenticate
LAST_USED_RESOLUTION_SECONDS = 60  # last_used_at is written at most once a minute per token


class Scope(models.TextChoices):
    INGEST = "ingest", _("ingest: create and update links (what Clay needs)")
    READ = "read", _("read: stats, links list, lookup, export")
    ADMIN = "admin", _("admin: everything, including delete")


def hash_key(key: str) -> str:
    """Return the stored form of a key (SHA-256, hex). Keys are 256 random bits, so a fast hash is
    enough: nobody can brute-force them back, and authenticating costs one indexed lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A random URL-safe key that does not start with "-": its prefix is typed after
    `api_token revoke`, where a leading "-" would read as an option (1 key in 64 otherwise)."""
    key = secrets.token_urlsafe(KEY_BYTES)
    while key.startswith("-"):
        key = secrets.token_urlsafe(KEY_BYTES)
    return key


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def create_token(self, user, scope, name=""):
        """Create a token and return (token, key). The key exists only in this return value: the
        database keeps its hash, so it can never be shown again."""
        key = new_key()
        token = self.create(
            user=user, scope=scope, name=name, key_prefix=key[:KEY_PREFIX_LENGTH], key_hash=hash_key(key)
        )
        return token, key


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. Clay, Zapier, reporting"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key_prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name or self.get_scope_display()} ({self.key_prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self):
        """Revoke the token: requests with its key get 401 from now on. The row stays, for the record."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)

    def note_use(self, now=None):
        """Record that the token was just used, writing at most once a LAST_USED_RESOLUTION_SECONDS."""
        now = now or timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
            self.last_used_at = now
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
