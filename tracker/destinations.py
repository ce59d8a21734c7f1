"""The destination cache: where every existing link goes, readable while the database is down.

Filled when links are created or changed (Link post_save, and links.signals.links_saved for the
bulk paths that skip post_save), emptied when they are deleted, rebuilt by
`manage.py fill_destination_cache`. The redirect reads it only when its SELECT fails: the
database stays the truth whenever it answers, so a link deleted or changed while the cache was
unreachable never redirects to its old destination once the database is back.

Stored in Django's cache named by settings.DESTINATION_CACHE_ALIAS (Redis, shared by every web
host) when set, else in the web host's own SQLite file (tracker.host_store), shared by its
processes. A failing cache never fails the write that fills it: it is logged, and the fill
command repairs it.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches

from tracker.database_guard import note_database_failure
from tracker.host_store import host_connection, host_transaction
from tracker.recording import TrackedLink

logger = logging.getLogger(__name__)

KEY_PREFIX = "destination:"
UPSERT_SQL = (
    "INSERT INTO destination (token, link_id, destination_url, sent_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (token) DO UPDATE SET link_id = excluded.link_id,"
    " destination_url = excluded.destination_url, sent_at = excluded.sent_at"
)


def remember_links(links: Iterable) -> None:
    """Store the destination and sending time of each Link (a created or changed link)."""
    entries = {
        link.token: (link.pk, link.destination_url, link.sent_at.isoformat() if link.sent_at else None)
        for link in links
        if link.pk is not None
    }
    if not entries:
        return
    try:
        if settings.DESTINATION_CACHE_ALIAS:
            caches[settings.DESTINATION_CACHE_ALIAS].set_many(
                {KEY_PREFIX + token: entry for token, entry in entries.items()}, timeout=None
            )
        else:
            with host_transaction() as store:
                store.executemany(UPSERT_SQL, [(token, *entry) for token, entry in entries.items()])
    except Exception:
        logger.exception("Could not store %d destinations in the destination cache", len(entries))


def forget_tokens(tokens: Iterable[str]) -> None:
    """Remove the destinations of deleted links."""
    tokens = list(tokens)
    if not tokens:
        return
    try:
        if settings.DESTINATION_CACHE_ALIAS:
            caches[settings.DESTINATION_CACHE_ALIAS].delete_many([KEY_PREFIX + token for token in tokens])
        else:
            with host_transaction() as store:
                store.executemany("DELETE FROM destination WHERE token = ?", [(token,) for token in tokens])
    except Exception:
        logger.exception("Could not remove %d destinations from the destination cache", len(tokens))


def cached_link(token: str) -> TrackedLink | None:
    """Return the link with `token` as last stored in the cache (cached=True, no recent clicks),
    or None when the cache does not know it or cannot be read."""
    try:
        if settings.DESTINATION_CACHE_ALIAS:
            entry = caches[settings.DESTINATION_CACHE_ALIAS].get(KEY_PREFIX + token)
        else:
            entry = (
                host_connection()
                .execute("SELECT link_id, destination_url, sent_at FROM destination WHERE token = ?", (token,))
                .fetchone()
            )
    except Exception:
        logger.exception("Could not read the destination cache")
        return None
    if entry is None:
        return None
    link_id, destination_url, sent_at = entry
    return TrackedLink(
        id=link_id,
        destination_url=destination_url,
        sent_at=datetime.datetime.fromisoformat(sent_at) if sent_at else None,
        cached=True,
    )


def cached_link_during_outage(token: str, error: Exception) -> TrackedLink:
    """Return the cached link for a redirect whose SELECT failed with `error`; re-raise `error`
    when the cache does not know the token (a 503 then: the token may well exist)."""
    note_database_failure(error)
    link = cached_link(token)
    if link is None:
        raise error
    logger.warning("Link %s served from the destination cache: %s", link.id, error)
    return link


def remember_saved_link(sender, instance, raw=False, **kwargs) -> None:
    """post_save receiver of Link (admin, import, shell)."""
    if not raw:
        remember_links([instance])


def remember_links_saved(sender, links, **kwargs) -> None:
    """links_saved receiver: the bulk paths (Clay's API, demo data) that skip post_save."""
    remember_links(links)


def forget_deleted_link(sender, instance, **kwargs) -> None:
    """post_delete receiver of Link (also sent for links deleted with their campaign)."""
    forget_tokens([instance.token])
