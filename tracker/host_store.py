"""State shared by the web processes of one host when there is no Redis: a small SQLite file.

Two things live here, both read by the redirect only when it cannot use what it normally uses:
the destinations of links (read when the main database fails, see tracker.destinations) and the
unknown-token miss counters (see tracker.miss_counter), so that a limit of 30 misses a minute is
30 per host, not 30 per gunicorn worker. The file is separate from the main database on purpose:
it must answer while the main database is down, locked, read-only or full.

One connection per thread (gunicorn's gthread workers share a process), opened lazily after a
fork; WAL so that readers never wait for the writer; synchronous=NORMAL: a power cut may lose the
last few writes, which the next `manage.py fill_destination_cache` restores.
"""

import contextlib
import os
import sqlite3
import threading

from django.conf import settings

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS destination ("
    " token TEXT PRIMARY KEY, link_id INTEGER NOT NULL, destination_url TEXT NOT NULL, sent_at TEXT)",
    "CREATE TABLE IF NOT EXISTS miss (key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL)",
)

_local = threading.local()


def host_connection() -> sqlite3.Connection:
    """Return this thread's connection to the host store (settings.HOST_STORE_PATH), creating the
    file and its tables on first use."""
    connection = getattr(_local, "connection", None)
    if connection is not None and _local.pid == os.getpid() and _local.path == settings.HOST_STORE_PATH:
        return connection
    path = str(settings.HOST_STORE_PATH)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    connection = sqlite3.connect(path, timeout=1, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in SCHEMA:
        connection.execute(statement)
    _local.connection, _local.pid, _local.path = connection, os.getpid(), settings.HOST_STORE_PATH
    return connection


@contextlib.contextmanager
def host_transaction():
    """`with host_transaction() as store:` many writes in one transaction (one commit, not one a row)."""
    store = host_connection()
    store.execute("BEGIN IMMEDIATE")
    try:
        yield store
    except BaseException:
        store.execute("ROLLBACK")
        raise
    store.execute("COMMIT")


def close_host_connection() -> None:
    """Close this thread's connection (tests that move HOST_STORE_PATH, or a file that went away)."""
    connection = getattr(_local, "connection", None)
    if connection is not None:
        _local.connection = None
        connection.close()
