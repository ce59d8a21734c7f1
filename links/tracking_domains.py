"""The tracking domains each process knows, read from the database at most every
TRACKING_DOMAIN_REFRESH_SECONDS (at once in the process that changed one).

Every request asks "is this Host a tracking domain?" before anything else (tracker.tracking_hosts),
so the answer must cost next to nothing: a clock read and a dict lookup on an in-process copy.
Adding a domain needs no restart: other processes see it at their next refresh."""

import logging
import time
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http.request import split_domain_port

from links.models import TrackingDomain

logger = logging.getLogger(__name__)


class KnownDomain(NamedTuple):
    id: int
    host: str
    root_url: str
    not_found_url: str


# Raw Host headers already looked up (a miss included), so that the usual request costs one dict
# lookup; bounded against a client sending endless made-up hosts.
RESOLVED_HOSTS_LIMIT = 1024


class _Known:
    by_host: dict = {}
    by_id: dict = {}
    resolved: dict = {}  # raw Host header -> KnownDomain or None
    refresh_at = 0.0  # time.monotonic() after which the copy is read again


def refresh_known_domains() -> None:
    """Read every tracking domain (one small query). If the database is unreachable, keep the
    copy we have and try again at the next interval: the redirect must not depend on this."""
    _Known.refresh_at = time.monotonic() + settings.TRACKING_DOMAIN_REFRESH_SECONDS
    try:
        domains = [
            KnownDomain(*row) for row in TrackingDomain.objects.values_list("id", "host", "root_url", "not_found_url")
        ]
    except DatabaseError:
        logger.warning("Tracking domains could not be read; keeping the %d known ones.", len(_Known.by_host))
        return
    remember_domains(domains)


def remember_domains(domains, refresh_at=None) -> None:
    """Replace the process's copy with `domains` (KnownDomain rows); `refresh_at` (monotonic time)
    overrides when it is next read (tests pin an empty copy with float("inf"))."""
    _Known.by_host = {domain.host: domain for domain in domains}
    _Known.by_id = {domain.id: domain for domain in domains}
    _Known.resolved = {}
    if refresh_at is not None:
        _Known.refresh_at = refresh_at


def tracking_domain_for_host(raw_host: str) -> KnownDomain | None:
    """Return the tracking domain a request's Host header names (any case, with or without a
    port or a final dot), or None. No query unless the copy is due for its refresh."""
    if time.monotonic() >= _Known.refresh_at:
        refresh_known_domains()
    if not _Known.by_host:
        return None
    try:
        return _Known.resolved[raw_host]
    except KeyError:
        pass
    host, _ = split_domain_port(raw_host.lower())
    domain = _Known.by_host.get(host)
    if len(_Known.resolved) >= RESOLVED_HOSTS_LIMIT:
        _Known.resolved = {}
    _Known.resolved[raw_host] = domain
    return domain


def tracking_domain_by_id(domain_id: int) -> KnownDomain | None:
    """Return a tracking domain by id from the process's copy, read again if it is not there yet."""
    domain = _Known.by_id.get(domain_id)
    if domain is None:
        refresh_known_domains()
        domain = _Known.by_id.get(domain_id)
    return domain


@receiver([post_save, post_delete], sender=TrackingDomain, dispatch_uid="links.tracking_domains.changed")
def _domains_changed(**kwargs):
    _Known.refresh_at = 0.0
