"""Outages under steady clicks on a real gunicorn: no prospect sees an error, no click is lost or
written twice once the held clicks are written. PostgreSQL is cut, silenced or starved of
connections by a TCP proxy in front of it; on the SQLite run the same tests have a writer stuck
holding its lock. Every test runs on both databases. Every loop
is bounded in count and time; everything listens on 127.0.0.1 only."""

import contextlib
import datetime
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count

from links.models import Link
from tests.factories import make_link
from tests.security.live import Gunicorn, click, current_database_url, warm_up, write_held_clicks_now
from tests.security.tcp_proxy import TcpProxy
from tracker.held_clicks import held_click_paths
from tracker.models import WrittenHeldClick

pytestmark = pytest.mark.django_db(transaction=True)

OUTAGE_SECONDS = 10
# After the database takes writes again: the retry pause (2 s) and the clicks already in flight.
RETRY_MARGIN = datetime.timedelta(seconds=3)
CLICKS_PER_THREAD_LIMIT = 1500


def prospects(count):
    return [make_link(email=f"prospect{i}@company.com", destination_url=f"https://acme.com/p{i}") for i in range(count)]


class SteadyClicks:
    """`threads` prospects clicking one after the other (a fresh connection each, 20 ms apart)
    until stop(); results are (token, status, seconds) triples."""

    def __init__(self, base_url, tokens, threads=2):
        self.base_url, self.tokens = base_url, tokens
        self.results = []
        self.started_at = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(offset,)) for offset in range(threads)]

    def __enter__(self):
        warm_up(self.base_url, self.tokens[0])
        for thread in self.threads:
            thread.start()
        return self

    def run(self, offset):
        for i in range(CLICKS_PER_THREAD_LIMIT):
            if self.stopping.is_set():
                return
            token = self.tokens[(i * len(self.threads) + offset) % len(self.tokens)]
            started = time.monotonic()
            status = click(self.base_url, token, timeout=15)
            self.results.append((token, status, time.monotonic() - started))
            self.started_at.append(started)
            time.sleep(0.02)

    def slowest_since(self, moment):
        """The longest answer among the clicks started at or after `moment` (time.monotonic())."""
        return max(result[2] for started, result in zip(self.started_at, self.results) if started >= moment)

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def assert_every_click_redirected_and_stored_once(results):
    statuses = Counter(status for _, status, _ in results)
    assert statuses == Counter({302: len(results)}), statuses
    redirects = Counter(token for token, _, _ in results)
    stored = dict(Link.objects.annotate(stored=Count("clicks")).values_list("token", "stored"))
    assert {token: stored[token] for token in redirects} == dict(redirects)
    assert sum(stored.values()) == len(results)


def postgresql_proxy(**kwargs):
    settings_dict = connection.settings_dict
    return TcpProxy(target=(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)), **kwargs)


@contextlib.contextmanager
def database_for_the_server(**proxy_options):
    """Yield (proxy, database URL) for the server under test: on PostgreSQL a TCP proxy in front
    of it (to cut, silence or ration its connections); on SQLite no proxy and the file itself,
    whose faults come from another writer holding its lock."""
    if connection.vendor != "postgresql":
        yield None, current_database_url()
        return
    proxy = postgresql_proxy(**proxy_options)
    proxy.start()
    try:
        yield proxy, current_database_url(port=proxy.port)
    finally:
        proxy.stop()


@contextlib.contextmanager
def sqlite_writer_stuck():
    """Another process's transaction holding SQLite's single write lock, as a stuck job would."""
    import sqlite3

    stuck_writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    stuck_writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        stuck_writer.execute("ROLLBACK")
        stuck_writer.close()


def test_the_database_refusing_clicks_for_10_seconds_fails_no_click_and_loses_none():
    """0 non-302 answers for links created before, 0 lost clicks after it returns, no duplicates.
    PostgreSQL is cut (connections refused); SQLite has a writer stuck on its lock, so each click
    waits at most ~1 s for it and is then held."""
    links = prospects(20)
    with (
        database_for_the_server() as (proxy, database_url),
        Gunicorn(workers=2, database_url=database_url) as server,
    ):
        with SteadyClicks(server.url, [link.token for link in links]) as load:
            time.sleep(2)
            failing_at = time.monotonic()
            if proxy:
                proxy.stop()
                time.sleep(OUTAGE_SECONDS)
                proxy.start()
            else:
                with sqlite_writer_stuck():
                    time.sleep(OUTAGE_SECONDS)
            during = len(load.results)
            time.sleep(4)
        log = server.log()
    write_held_clicks_now()
    held = WrittenHeldClick.objects.count()
    print(f"\n[{connection.vendor} failing {OUTAGE_SECONDS}s] {len(load.results)} clicks, {held} held then written")
    assert_every_click_redirected_and_stored_once(load.results)
    assert held >= during // 3 if proxy else held > 20, log  # the outage was real: clicks went through the spool
    assert load.slowest_since(failing_at) < (1.0 if proxy else 2.0)


def test_a_silent_database_costs_a_click_about_a_second_and_loses_none():
    """A database that accepts and never answers (PostgreSQL silenced by the proxy; SQLite's lock
    held by a stuck writer): each click is answered within ~2 s (1 s watchdog or busy timeout on a
    statement, libpq's 2 s connect_timeout on a new connection), then written."""
    links = prospects(10)
    with (
        database_for_the_server() as (proxy, database_url),
        Gunicorn(workers=2, database_url=database_url) as server,
    ):
        with SteadyClicks(server.url, [link.token for link in links]) as load:
            time.sleep(1.5)
            silent_at = time.monotonic()
            if proxy:
                proxy.hang()
                time.sleep(8)
                proxy.resume()
            else:
                with sqlite_writer_stuck():
                    time.sleep(8)
            time.sleep(4)
        log = server.log()
    write_held_clicks_now()
    slowest = load.slowest_since(silent_at)
    print(f"\n[{connection.vendor} silent 8s] {len(load.results)} clicks, slowest {slowest:.2f}s")
    assert_every_click_redirected_and_stored_once(load.results)
    assert WrittenHeldClick.objects.count() > 0
    assert slowest < 3.0, log
    if proxy:
        assert "took over 1.0s: cut" in log


def test_more_web_workers_than_database_connections_fall_back_instead_of_failing():
    """4 workers clicking at once: on PostgreSQL with 2 connection slots, the workers left out
    redirect from the cache and hold their clicks; on SQLite they queue on its one write lock.
    Nothing fails, everything is written."""
    links = prospects(10)
    with database_for_the_server(max_connections=2) as (proxy, database_url):
        server = Gunicorn(workers=4, database_url=database_url)
        with server, SteadyClicks(server.url, [link.token for link in links], threads=4) as load:
            time.sleep(6)
    write_held_clicks_now()
    refused = proxy.refused if proxy else None
    print(f"\n[{connection.vendor}, 4 workers] {len(load.results)} clicks, {refused} connections refused")
    if proxy:
        assert proxy.refused > 0
    assert len(load.results) > 100
    assert_every_click_redirected_and_stored_once(load.results)


def test_the_shipped_server_settings_serve_many_threads_on_few_connections():
    """The shipped settings (gthread workers, 8 threads) with, on PostgreSQL, the documented pool
    (DATABASE_POOL_MAX_SIZE=2) through a server with 2 connection slots: every click redirects and
    is stored, none is refused a slot."""
    links = prospects(10)
    with database_for_the_server(max_connections=2) as (proxy, database_url):
        pooled = {"DATABASE_POOL_MAX_SIZE": "2", "DATABASE_POOL_MIN_SIZE": "1"} if proxy else {}
        with (
            Gunicorn(
                workers=1,
                database_url=database_url,
                extra_env={**pooled, "GUNICORN_THREADS": "8"},
                shipped_settings=True,
            ) as server,
            SteadyClicks(server.url, [link.token for link in links], threads=6) as load,
        ):
            time.sleep(5)
    write_held_clicks_now()
    assert_every_click_redirected_and_stored_once(load.results)
    if proxy:
        assert proxy.refused == 0
    assert len(load.results) > 100


def make_database_read_only(read_only):
    """Refuse writes on connections opened from now on, as a disk remounted read-only does:
    SQLite's file made immutable (root ignores file modes), PostgreSQL's database set read-only."""
    if connection.vendor == "sqlite":
        subprocess.run(["chattr", "+i" if read_only else "-i", connection.settings_dict["NAME"]], check=True)
    else:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            if read_only:
                cursor.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
            else:
                cursor.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")


def test_a_worker_started_while_the_database_is_read_only_heals_once_it_is_writable_again():
    """A worker started during a read-only episode opens a read-only connection: its clicks
    redirect and are held; once the database takes writes again, the failed connection is
    replaced within seconds (not kept for CONN_MAX_AGE), and every click is stored once."""
    links = prospects(10)
    try:
        with Gunicorn(workers=1) as server, SteadyClicks(server.url, [link.token for link in links]) as load:
            time.sleep(1)
            make_database_read_only(True)
            os.kill(server.process.pid, signal.SIGTTIN)  # one more worker, connecting read-only
            time.sleep(6)
            make_database_read_only(False)
            writable_at = datetime.datetime.now(datetime.UTC)
            time.sleep(6)
    finally:
        make_database_read_only(False)
    held_keys = [path.name for path in held_click_paths()]
    write_held_clicks_now()
    held_since_writable = [key for key in held_keys if key[:22] > f"{writable_at + RETRY_MARGIN:%Y%m%dT%H%M%S%f}"]
    print(f"\n[{connection.vendor} read-only 6s] {len(load.results)} clicks, {len(held_keys)} held")
    assert_every_click_redirected_and_stored_once(load.results)
    assert len(held_keys) > 0
    assert held_since_writable == []
