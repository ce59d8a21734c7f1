"""Faults: a database that goes away, refuses writes or is full never fails a tracking URL (its
click is held and written later), pages answer a clear 503, and everything recovers by itself; a worker killed mid-load loses no committed click. Each fault runs on SQLite and PostgreSQL,
with the mechanism each database really has."""

import json
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from http.client import HTTPConnection

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Count

from links.models import Link
from linktracker.errors import DATABASE_UNAVAILABLE_MESSAGE
from tests.factories import make_link
from tests.security.live import DESKTOP_CHROME, Gunicorn, current_database_url, fire_clicks, write_held_clicks_now
from tests.security.tcp_proxy import TcpProxy
from tracker.database_guard import bounded_database_wait, forget_database_failures
from tracker.held_clicks import held_click_paths, write_held_clicks
from tracker.models import Click

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(client):
    """Answer like production: the error handler's page, not the exception re-raised in the test."""
    client.raise_request_exception = False
    return client


def get(base_url, path, headers=None):
    conn = HTTPConnection(base_url.removeprefix("http://"), timeout=30)
    try:
        conn.request("GET", path, headers={"User-Agent": DESKTOP_CHROME, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def test_the_database_going_away_keeps_redirecting_then_recovers_by_itself(client, caplog, api_token):
    """PostgreSQL stopped (a proxy dropped) or SQLite locked by another process: the tracking URL
    still redirects (cached destination, click held), pages and the API answer 503, and every
    click is stored once the held clicks are written."""
    link = make_link()
    if connection.vendor == "postgresql":
        proxy = TcpProxy(
            target=(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
        )
        proxy.start()
        with Gunicorn(workers=2, database_url=current_database_url(port=proxy.port)) as server:
            assert get(server.url, f"/t/{link.token}")[0] == 302

            proxy.stop()
            status, headers, body = get(server.url, f"/t/{link.token}")
            assert (status, headers.get("Location")) == (302, link.destination_url), (body, server.log())
            status, headers, body = get(server.url, "/api/schema/", {"Authorization": f"Token {api_token}"})
            assert (status, headers["Content-Type"], json.loads(body)) == (
                503,
                "application/json",
                {"detail": DATABASE_UNAVAILABLE_MESSAGE},
            )

            proxy.start()
            statuses = [get(server.url, f"/t/{link.token}")[0] for _ in range(4)]
            log = server.log()
        proxy.stop()
        assert statuses == [302] * 4
        assert f"Link {link.id} served from the destination cache" in log
        write_held_clicks()
        assert (Click.objects.count(), held_click_paths()) == (6, [])
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
        other_process = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # holds the write lock, as a stuck writer would
        try:
            response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME)
        finally:
            other_process.execute("ROLLBACK")
            other_process.close()
        assert (response.status_code, response["Location"]) == (302, link.destination_url)
        assert "database is locked" in caplog.records[-1].getMessage()
        assert (Click.objects.count(), len(held_click_paths())) == (0, 1)

        forget_database_failures()
        assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME).status_code == 302
        write_held_clicks()
        assert (Click.objects.count(), held_click_paths()) == (2, [])


def test_a_click_waits_out_a_short_write_of_another_process_and_is_stored_at_once(client, settings):
    """Another writer holds what the click's INSERT needs for 0.45 s (SQLite: the write lock;
    PostgreSQL: a SHARE lock on the clicks table, as CREATE INDEX takes): the redirect
    waits for it and stores the click itself rather than holding it on the host. The bound is
    raised to 5 s so that a slow machine does not turn the wait into a held click; how soon the
    redirect tries again is checked by the next test, not by a clock."""
    settings.TRACKING_DATABASE_TIMEOUT = 5
    link = make_link()
    released = threading.Event()
    if connection.vendor == "sqlite":
        other_process = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
        other_process.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        other_process = psycopg.connect(current_database_url().replace("postgres://", "postgresql://", 1))
        other_process.execute("LOCK TABLE tracker_click IN SHARE MODE")

    def release_later():
        time.sleep(0.45)
        if connection.vendor == "sqlite":
            other_process.execute("COMMIT")
        else:
            other_process.commit()
        released.set()

    releaser = threading.Thread(target=release_later)
    started = time.monotonic()
    releaser.start()
    try:
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME)
        waited = time.monotonic() - started
    finally:
        releaser.join()
        other_process.close()

    assert (response.status_code, response["Location"]) == (302, link.destination_url)
    assert released.is_set() and waited >= 0.45, waited
    assert (Click.objects.count(), held_click_paths()) == (1, [])


def test_a_locked_sqlite_write_is_tried_again_within_2_ms_until_the_bound_is_spent(settings):
    """SQLite's own busy handler sleeps up to 100 ms between tries and so sleeps through the
    moments the write lock is free; the redirect tries again after 0.2 ms, doubling to 2 ms at
    most. Any other error, or a bound already spent, is not tried again."""
    locked = OperationalError("database is locked")
    settings.TRACKING_DATABASE_TIMEOUT = 5
    with bounded_database_wait(connections[DEFAULT_DB_ALIAS]) as bound:
        pauses = []
        for _ in range(7):
            pauses.append(bound.pause)
            assert bound.retry_after_lock(locked)
        assert not bound.retry_after_lock(OperationalError("disk I/O error"))
    assert pauses == [0.0002, 0.0004, 0.0008, 0.0016, 0.002, 0.002, 0.002]

    settings.TRACKING_DATABASE_TIMEOUT = 0.001
    with bounded_database_wait(connections[DEFAULT_DB_ALIAS]) as bound:
        time.sleep(0.002)
        assert not bound.retry_after_lock(locked)


def test_a_read_only_database_still_redirects_and_the_click_is_written_later(client, caplog):
    """SQLite `PRAGMA query_only` / PostgreSQL read-only transactions: 302, the click held and
    written once the database takes writes again."""
    link = make_link()
    read_only, writable = {
        "sqlite": ("PRAGMA query_only = 1", "PRAGMA query_only = 0"),
        "postgresql": ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off"),
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(read_only)
    try:
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(writable)

    assert (response.status_code, response["Location"]) == (302, link.destination_url)
    assert "read" in caplog.records[-1].getMessage().lower()
    forget_database_failures()
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME).status_code == 302
    assert (Click.objects.count(), write_held_clicks(), Click.objects.count()) == (1, 1, 2)


def test_a_full_disk_still_redirects_and_the_click_is_written_later(client, caplog):
    """SQLite at its `max_page_count` / PostgreSQL raising disk_full: 302, the click held, logged,
    and written once the disk accepts it."""
    link = make_link()
    if connection.vendor == "sqlite":
        fill_sqlite_to_its_page_limit(link)
        try:
            response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA max_page_count = 1073741823")
        expected_error = "database or disk is full"
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION security_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$; CREATE TRIGGER security_test_disk_full BEFORE INSERT ON tracker_click "
                "FOR EACH ROW EXECUTE FUNCTION security_test_disk_full()"
            )
        try:
            response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=DESKTOP_CHROME)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DROP TRIGGER security_test_disk_full ON tracker_click; DROP FUNCTION security_test_disk_full()"
                )
        expected_error = "No space left on device"
    clicks_before = Click.objects.count()

    assert (response.status_code, response["Location"]) == (302, link.destination_url)
    assert expected_error in caplog.records[-1].getMessage()
    assert (write_held_clicks(), Click.objects.count()) == (1, clicks_before + 1)


def fill_sqlite_to_its_page_limit(link):
    """Cap the file at its current size and insert clicks until SQLite reports the disk full."""
    with connection.cursor() as cursor:
        # Pages freed by earlier tests' rows would take thousands of clicks first: give them back.
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA max_page_count = 1")  # clamps to the current page count
    for user_agent in (DESKTOP_CHROME, ""):
        with pytest.raises(OperationalError, match="database or disk is full"):
            for _ in range(10_000):
                Click.objects.create(link=link, user_agent=user_agent, ip="203.0.113.0")


def test_a_worker_killed_mid_load_loses_no_committed_click():
    """SIGKILL one of 4 gunicorn workers during 1,500 clicks: every 302 received has its stored click."""
    links = [make_link(email=f"prospect{i}@company.com") for i in range(50)]
    with Gunicorn(workers=4) as server:
        results = []
        load = threading.Thread(
            target=lambda: results.extend(fire_clicks(server.url, [link.token for link in links], 1500, 16))
        )
        load.start()
        time.sleep(0.8)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed_mid_load = load.is_alive()
        load.join(timeout=60)
        log = server.log()

    held = write_held_clicks_now()
    statuses = Counter(status for _, status in results)
    redirects_per_token = Counter(token for token, status in results if status == 302)
    stored_per_token = dict(Link.objects.annotate(stored=Count("clicks")).values_list("token", "stored"))
    print(
        f"\n[{connection.vendor}] worker killed mid-load: 1500 fired, {statuses[302]} 302s, "
        f"{sum(stored_per_token.values())} stored ({held} held then written), "
        f"failures: {dict(statuses - Counter({302: statuses[302]}))}"
    )
    assert killed_mid_load
    assert f"(pid:{victim})" in log
    assert sum(statuses.values()) == 1500
    assert not [status for status in statuses if isinstance(status, int) and status >= 500]
    assert statuses[302] >= 1500 - 16  # only requests in flight in the killed worker may fail
    assert sum(stored_per_token.values()) >= statuses[302]
    assert all(stored_per_token[token] >= count for token, count in redirects_per_token.items())
