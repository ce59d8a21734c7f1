"""Bounds on the redirect's database waits, so that a database in trouble costs a prospect about a
second, never a hung request.

- bounded_database_wait(): a statement that takes longer than TRACKING_DATABASE_TIMEOUT is cut
  from the client side by one watchdog thread per process: the PostgreSQL socket is shut down
  (a hung server or a lost network answers nothing, so a server-side statement_timeout could
  never fire) and an SQLite statement is interrupted (a writer stuck holding the lock). The hot
  path pays two dictionary writes, no extra round trip. Connecting is bounded by
  DATABASE_CONNECT_TIMEOUT (libpq's connect_timeout, 2 s at least).
- After a failure that means an outage, the redirect leaves the database alone for
  TRACKING_DATABASE_RETRY_SECONDS and answers from the destination cache, holding its clicks
  (database_recently_failed()): during an outage only one request per process and per interval
  pays the timeout.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections

from linktracker.errors import database_unavailable

logger = logging.getLogger(__name__)

WATCH_INTERVAL_SECONDS = 0.05
FIRST_LOCK_RETRY_PAUSE = 0.0002
LONGEST_LOCK_RETRY_PAUSE = 0.002

_deadlines = {}  # thread ident -> (monotonic deadline, the thread's DatabaseWrapper)
_watchdog_started = False  # in this process: gunicorn forks its workers after importing us
_watchdog_lock = threading.Lock()
_failed_until = 0.0


class bounded_database_wait:  # lower case: used like contextlib's context managers
    """`with bounded_database_wait(database):` cut the statement running on `database` (the
    default DatabaseWrapper, which the redirect looks up once: Django's per-thread lookup costs as
    much as this bookkeeping) if it takes longer than TRACKING_DATABASE_TIMEOUT; the statement
    then raises a DatabaseError.

    `writes=True` on SQLite also sets the connection's busy timeout (the wait for another
    writer's lock, which sqlite3's interrupt() does not cut) to 0: write_within_bound() waits for
    the lock itself. Once per connection, so the redirect pays nothing per click; the next request
    that is not a redirect gets the configured timeout back (restore_busy_timeout, on
    request_started)."""

    __slots__ = ("database", "deadline", "ident", "pause", "writes")

    def __init__(self, database, writes=False):
        self.database = database
        self.writes = writes

    def __enter__(self):
        if not _watchdog_started:
            start_watchdog()
        wrapper = self.database
        timeout = settings.TRACKING_DATABASE_TIMEOUT
        self.ident = threading.get_ident()
        self.deadline = time.monotonic() + timeout
        self.pause = FIRST_LOCK_RETRY_PAUSE
        _deadlines[self.ident] = (self.deadline, wrapper)
        if self.writes and wrapper.vendor == "sqlite" and not getattr(wrapper, "short_busy_timeout", True):
            wrapper.connection.execute("PRAGMA busy_timeout = 0")  # write_within_bound() waits instead
            wrapper.short_busy_timeout = True
        return self

    def retry_after_lock(self, error) -> bool:
        """After an SQLite "database is locked": pause briefly and return True while the bound
        leaves time for another try; False for any other error, or once the time is spent."""
        if "database is locked" not in str(error) or statement_was_cut():
            return False
        if time.monotonic() + self.pause >= self.deadline:
            return False
        time.sleep(self.pause)
        self.pause = min(self.pause * 2, LONGEST_LOCK_RETRY_PAUSE)
        return True

    def __exit__(self, *exc_info):
        _deadlines.pop(self.ident, None)
        return False


def write_within_bound(database, write, *args):
    """Return write(*args, database=database), a write of the redirect on `database` (the default
    DatabaseWrapper), run under bounded_database_wait(database, writes=True).

    SQLite has one write lock. Its own busy handler waits for it by sleeping 1, 2, 5, 10 ... then
    100 ms between tries, so under a stream of clicks a writer sleeps through the moments the lock
    is free and throughput collapses into sleeps while the processor idles. The redirect's
    connection therefore waits with a busy timeout of 0 and tries again here after 0.2 ms, then
    0.4 ... at most 2 ms, until TRACKING_DATABASE_TIMEOUT is spent; then the error propagates and
    the click is held (tracker.held_clicks). PostgreSQL writers do not share a lock: one try."""
    with bounded_database_wait(database, writes=True) as bound:
        while True:
            try:
                return write(*args, database=database)
            except OperationalError as error:
                if not bound.retry_after_lock(error):
                    raise


def statement_was_cut() -> bool:
    """Inside bounded_database_wait(): True once the watchdog has cut this thread's statement
    (its deadline is gone), so that nothing retries past the bound."""
    return threading.get_ident() not in _deadlines


def note_new_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: a new SQLite connection has the configured busy timeout."""
    connection.short_busy_timeout = False


def restore_busy_timeout(**kwargs) -> None:
    """request_started receiver: give the configured busy timeout back to a connection that the
    redirect shortened, before a request that may legitimately wait longer (an API write)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    if getattr(wrapper, "short_busy_timeout", False) and wrapper.connection is not None:
        busy_ms = int(wrapper.settings_dict["OPTIONS"].get("timeout", 5) * 1000)
        try:
            with wrapper.wrap_database_errors:
                wrapper.connection.execute(f"PRAGMA busy_timeout = {busy_ms}")
        except DatabaseError:
            wrapper.close()  # a connection that cannot take a PRAGMA is dead: the request opens another
            return
        wrapper.short_busy_timeout = False


def start_watchdog() -> None:
    """Start this process's watchdog thread (once per process: gunicorn forks its workers)."""
    global _watchdog_started
    with _watchdog_lock:
        if _watchdog_started:
            return
        _deadlines.clear()
        threading.Thread(target=watch, name="database-watchdog", daemon=True).start()
        _watchdog_started = True


def forget_watchdog_in_child() -> None:
    """A forked child has none of its parent's threads: its first bounded wait starts its own."""
    global _watchdog_started
    _watchdog_started = False


os.register_at_fork(after_in_child=forget_watchdog_in_child)


def watch() -> None:
    while True:
        time.sleep(WATCH_INTERVAL_SECONDS)
        cut_overdue_statements(time.monotonic())


def cut_overdue_statements(now: float) -> None:
    """Cut every watched statement whose deadline is past `now`. The request threads remove their
    entries without a lock, so an entry may go between two of these lines."""
    for ident, entry in list(_deadlines.items()):
        if entry[0] > now or _deadlines.get(ident) is not entry:
            continue
        try:
            del _deadlines[ident]
        except KeyError:  # the statement ended meanwhile: nothing to cut
            continue
        interrupt(entry[1])


def interrupt(wrapper) -> None:
    """Make the statement running on `wrapper` (a DatabaseWrapper) fail now."""
    raw = wrapper.connection
    if raw is None:  # still connecting: connect_timeout bounds that
        return
    logger.warning("A database statement of the redirect took over %ss: cut", settings.TRACKING_DATABASE_TIMEOUT)
    try:
        if wrapper.vendor == "sqlite":
            raw.interrupt()
        else:
            with socket.socket(fileno=os.dup(raw.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
    except Exception:
        logger.exception("Could not cut a database statement")


def note_database_failure(error: Exception) -> None:
    """Remember an outage-like failure (the redirect skips the database for a little while) and
    drop the connection that failed: a connection opened while SQLite's file was read-only stays
    read-only, and Django would otherwise keep it for CONN_MAX_AGE."""
    global _failed_until
    if database_unavailable(error):
        _failed_until = time.monotonic() + settings.TRACKING_DATABASE_RETRY_SECONDS
    wrapper = connections[DEFAULT_DB_ALIAS]
    if not wrapper.in_atomic_block:
        try:
            wrapper.close()
        except Exception:
            logger.debug("Closing a failed connection failed too", exc_info=True)


def database_recently_failed() -> bool:
    """True for TRACKING_DATABASE_RETRY_SECONDS after note_database_failure() saw an outage."""
    return _failed_until > time.monotonic()


def forget_database_failures() -> None:
    """Try the database again at the next redirect (tests; an operator's signal that it is back)."""
    global _failed_until
    _failed_until = 0.0
