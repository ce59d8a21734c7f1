"""The unknown-token miss counter behind the 429 of tracking URLs, shared as widely as it can be.

With Redis (settings.MISS_COUNTER_CACHE_ALIAS names its Django cache) the count is shared by every
web host; without, it lives in the host's own store (tracker.host_store), shared by the host's
processes: 30 misses a minute are 30 per host, not 30 per gunicorn worker. Only unknown tokens
are counted, so a known link's redirect never touches either. A counter that fails or hangs
(Redis down: short socket timeouts in settings) counts the miss as the first one: the 404 is
answered at once, and an outage of the counter never becomes an error page.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches

from tracker.host_store import host_transaction

logger = logging.getLogger(__name__)

COUNT_MISS_SQL = (
    "INSERT INTO miss (key, window, count) VALUES (?, ?, 1)"
    " ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count"
)


def count_miss(key: str, timeout: int) -> int:
    """Add one miss under `key` (kept `timeout` seconds) and return the misses counted so far."""
    try:
        if settings.MISS_COUNTER_CACHE_ALIAS:
            return count_miss_in_cache(caches[settings.MISS_COUNTER_CACHE_ALIAS], key, timeout)
        return count_miss_on_host(key, timeout)
    except Exception:
        logger.warning("The unknown-token counter failed; this miss is counted as the first", exc_info=True)
        return 1


def count_miss_in_cache(cache, key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        return 1


def count_miss_on_host(key: str, timeout: int) -> int:
    now = int(time.time())
    with host_transaction() as store:
        (count,) = store.execute(COUNT_MISS_SQL, (key, now)).fetchone()
        if count == 1:  # a new key: the moment to drop the expired ones
            store.execute("DELETE FROM miss WHERE window < ?", (now - timeout,))
    return count
