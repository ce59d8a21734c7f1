"""A database that fails never fails a prospect: the destination comes from the destination cache,
the click is held on the web host and written once, with its original time and verdict, when the
database is back. Runs on SQLite and PostgreSQL; the live, multi-process versions of these
outages are in tests/security/test_outage_live.py."""

import datetime
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError, connection

from links.models import Link
from tests.factories import make_link
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker import held_clicks
from tracker.database_guard import database_recently_failed, forget_database_failures
from tracker.destinations import cached_link, forget_tokens
from tracker.held_clicks import held_click_paths, write_held_clicks
from tracker.models import Click, WrittenHeldClick

pytestmark = pytest.mark.django_db(transaction=True)

CLICK_TIME = datetime.datetime(2026, 11, 24, 9, 15, 30, 123456, tzinfo=datetime.UTC)


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def inserts_refused(execute, sql, params, many, context):
    if sql.startswith("INSERT INTO tracker_click"):
        raise OperationalError("attempt to write a readonly database")
    return execute(sql, params, many, context)


def answer_lost(execute, sql, params, many, context):
    """The click's INSERT reaches the database, and the connection is cut before its answer."""
    result = execute(sql, params, many, context)
    if sql.startswith("INSERT INTO tracker_click"):
        raise OperationalError("server closed the connection unexpectedly")
    return result


def stored_clicks():
    return list(Click.objects.order_by("id").values_list("link_id", "clicked_at", "verdict", "reason", "user_agent"))


def test_a_known_link_redirects_from_the_cache_while_the_database_is_down(client):
    """The SELECT fails: 302 to the cached destination, the click held on the host, none stored."""
    link = make_link(destination_url="https://wesser.fr/offre?ref=mail")
    with time_machine.travel(CLICK_TIME, tick=False), connection.execute_wrapper(database_down):
        response = client.get(f"/t/{link.token}?utm_content=a", HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/offre?ref=mail&utm_content=a")
    assert Click.objects.count() == 0
    [path] = held_click_paths()
    held = json.loads(path.read_bytes())
    assert (held["link_id"], held["clicked_at"], held["verdict"], held["user_agent"], held["may_be_stored"]) == (
        link.id,
        "2026-11-24T09:15:30.123456+00:00",
        "human",
        CHROME,
        False,  # the redirect never tried to write it
    )


def test_held_clicks_are_written_with_their_original_time_and_verdict_once_the_database_is_back(client):
    """write_held_clicks() stores each held click exactly once and empties the spool."""
    link = make_link()
    later = CLICK_TIME + datetime.timedelta(seconds=40)
    with connection.execute_wrapper(database_down):
        with time_machine.travel(CLICK_TIME, tick=False):
            client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
        with time_machine.travel(later, tick=False):
            client.get(f"/t/{link.token}", HTTP_USER_AGENT=SLACKBOT)
    assert write_held_clicks() == 2
    assert [(link_id, clicked_at, verdict) for link_id, clicked_at, verdict, *_ in stored_clicks()] == [
        (link.id, CLICK_TIME, "human"),
        (link.id, later, "preview"),
    ]
    assert held_click_paths() == []
    assert write_held_clicks() == 0
    assert Click.objects.count() == 2


def test_a_held_click_keeps_its_country_and_device_as_the_redirect_would_have_stored_them(client):
    """Looked up as it is held, from the full address and the user agent: the written click needs
    no describe job, and its country survives the address's anonymising."""
    link = make_link()
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", REMOTE_ADDR="90.84.10.17", HTTP_USER_AGENT=CHROME)
    forget_database_failures()
    assert write_held_clicks() == 1
    assert list(Click.objects.values_list("ip", "country", "device_type", "os", "browser")) == [
        ("90.84.10.0", "FR", "desktop", "Windows", "Chrome")
    ]


def test_a_click_the_database_refuses_to_write_is_held_and_the_failed_connection_dropped(client):
    """The SELECT works, the INSERT fails (read-only, full): 302, click held, connection closed so
    that a connection opened while the disk was read-only is not kept for CONN_MAX_AGE."""
    link = make_link(destination_url="https://wesser.fr/offre")
    client.get("/t/unknown-token")  # opens the connection the redirect reuses
    with connection.execute_wrapper(inserts_refused):
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
        dropped = connection.connection is None
    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/offre")
    assert dropped is True
    assert (Click.objects.count(), len(held_click_paths())) == (0, 1)
    assert database_recently_failed() is True


def test_a_read_only_connection_heals_at_the_next_click(client):
    """SQLite `query_only` / PostgreSQL read-only session on the kept connection: the click is held,
    the connection dropped, and the next click (after the retry pause) is written at once."""
    link = make_link()
    client.get("/t/unknown-token")
    read_only = {"sqlite": "PRAGMA query_only = 1", "postgresql": "SET default_transaction_read_only = on"}
    with connection.cursor() as cursor:
        cursor.execute(read_only[connection.vendor])
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    forget_database_failures()  # the retry pause is over
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    assert (Click.objects.count(), len(held_click_paths())) == (1, 1)
    assert write_held_clicks() == 1
    assert Click.objects.count() == 2


def test_while_the_database_recently_failed_known_links_skip_it(client, django_assert_num_queries):
    """After an outage-like failure, the next redirects answer from the cache without a query."""
    link = make_link()
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    with django_assert_num_queries(0):
        assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    assert len(held_click_paths()) == 2


def test_the_database_stays_the_truth_when_it_answers(client):
    """A cached destination that is out of date never wins over the database."""
    link = make_link(destination_url="https://wesser.fr/new")
    with connection.cursor() as cursor:  # the cache missed the change (e.g. Redis was down)
        cursor.execute("UPDATE links_link SET destination_url = %s WHERE id = %s", ["https://old.example/", link.id])
    forget_tokens([link.token])
    call_command("fill_destination_cache", stdout=open("/dev/null", "w"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE links_link SET destination_url = %s WHERE id = %s", ["https://wesser.fr/new", link.id])
    assert cached_link(link.token).destination_url == "https://old.example/"
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)["Location"] == "https://wesser.fr/new"


def test_a_deleted_link_leaves_the_cache_and_answers_404(client):
    """Deleting a link (admin, API, forget_prospect) removes its cached destination."""
    link = make_link()
    token = link.token
    Link.objects.filter(pk=link.pk).delete()
    assert cached_link(token) is None
    assert client.get(f"/t/{token}", HTTP_USER_AGENT=CHROME).status_code == 404
    client.raise_request_exception = False  # the 503 page, as in production
    with connection.execute_wrapper(database_down):
        assert client.get(f"/t/{token}", HTTP_USER_AGENT=CHROME).status_code == 503


def test_a_changed_destination_is_cached_when_saved(client):
    """An operator's edit (post_save) updates the cached destination and sending time."""
    link = make_link(destination_url="https://wesser.fr/a")
    link.destination_url = "https://wesser.fr/b"
    link.sent_at = CLICK_TIME
    link.save()
    cached = cached_link(link.token)
    assert (cached.id, cached.destination_url, cached.sent_at, cached.cached) == (
        link.id,
        "https://wesser.fr/b",
        CLICK_TIME,
        True,
    )


def test_links_created_by_clay_in_bulk_are_cached(api):
    """The API's bulk path skips post_save; its links are cached all the same."""
    response = api.post(
        "/api/links/",
        [{"email": f"p{i}@acme.com", "campaign": "acme", "destination_url": "https://acme.com/demo"} for i in range(3)],
        format="json",
    )
    assert response.status_code == 201
    tokens = [row["token"] for row in response.json()]
    assert [cached_link(token).destination_url for token in tokens] == ["https://acme.com/demo"] * 3


def test_fill_destination_cache_stores_every_link_and_drops_deleted_ones(settings, tmp_path):
    """The command rebuilds the cache from the database and says what it did."""
    links = [make_link(email=f"p{i}@acme.com") for i in range(3)]
    settings.HOST_STORE_PATH = tmp_path / "new-host.sqlite3"  # a new, empty store
    from tracker.destinations import remember_links

    remember_links([Link(pk=999_999, token="gone-token", destination_url="https://gone.example/")])
    output = tmp_path / "out.txt"
    with output.open("w") as stdout:
        call_command("fill_destination_cache", stdout=stdout)
    assert output.read_text().splitlines()[-1] == "3 destinations stored, 1 of deleted links dropped."
    assert [cached_link(link.token).id for link in links] == [link.id for link in links]
    assert cached_link("gone-token") is None


def test_a_crash_after_the_commit_never_writes_a_held_click_twice(client, monkeypatch):
    """The file outlives the write (crash before its removal): the next run skips it by its key."""
    link = make_link()
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    original_unlink = Path.unlink

    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt("worker killed between the commit and the removal")

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(KeyboardInterrupt):
        write_held_clicks()
    monkeypatch.setattr(Path, "unlink", original_unlink)
    assert (Click.objects.count(), len(held_click_paths())) == (1, 1)
    assert write_held_clicks() == 1
    assert (Click.objects.count(), WrittenHeldClick.objects.count(), held_click_paths()) == (1, 1, [])


def test_a_click_whose_insert_got_through_but_whose_answer_was_lost_is_not_written_twice(client):
    """The connection is cut after the INSERT reached the database: held, then recognised as stored."""

    link = make_link()
    client.get("/t/unknown-token")
    with connection.execute_wrapper(answer_lost):
        assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    assert (Click.objects.count(), len(held_click_paths())) == (1, 1)
    assert json.loads(held_click_paths()[0].read_bytes())["may_be_stored"] is True
    assert write_held_clicks() == 1
    assert (Click.objects.count(), held_click_paths()) == (1, [])


def test_a_file_held_before_clicks_were_marked_is_checked_against_the_stored_clicks(client):
    """A spool file without the may_be_stored mark (held by an earlier version) is treated as one
    that may be stored: the click stored by its own INSERT is not written a second time."""

    link = make_link()
    client.get("/t/unknown-token")
    with connection.execute_wrapper(answer_lost):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    [path] = held_click_paths()
    held = json.loads(path.read_bytes())
    assert held.pop("may_be_stored") is True
    path.write_text(json.dumps(held))
    assert write_held_clicks() == 1
    assert Click.objects.count() == 1


def test_clicks_of_one_link_in_the_same_microsecond_are_all_written(client):
    """Two clicks can share their link, time to the microsecond, user agent and referer (one web
    process stored the first, two others redirected from the cache): held clicks the redirect never
    tried to write are not taken for the stored one, nor for each other."""
    link = make_link()
    with time_machine.travel(CLICK_TIME, tick=False):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
        with connection.execute_wrapper(database_down):
            client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
            client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert (Click.objects.count(), len(held_click_paths())) == (1, 2)
    assert write_held_clicks() == 2
    assert list(Click.objects.values_list("clicked_at", flat=True)) == [CLICK_TIME] * 3


def test_a_crash_before_the_commit_keeps_the_click_held(client, monkeypatch):
    """The transaction rolls back: nothing stored, the file kept, written by the next run."""
    link = make_link()
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    with connection.execute_wrapper(inserts_refused), pytest.raises(OperationalError):
        write_held_clicks()
    assert (Click.objects.count(), WrittenHeldClick.objects.count(), len(held_click_paths())) == (0, 0, 1)
    assert write_held_clicks() == 1
    assert Click.objects.count() == 1


def test_keys_of_held_clicks_written_over_a_week_ago_are_pruned(client):
    """The keys only guard against a spool file that outlived its write; they do not pile up."""
    link = make_link()
    WrittenHeldClick.objects.create(key="old", written_at=CLICK_TIME - datetime.timedelta(days=8))
    WrittenHeldClick.objects.create(key="recent", written_at=CLICK_TIME - datetime.timedelta(days=6))
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    with time_machine.travel(CLICK_TIME, tick=False):
        assert write_held_clicks() == 1
    keys = set(WrittenHeldClick.objects.values_list("key", flat=True))
    assert ("old" in keys, "recent" in keys, len(keys)) == (False, True, 2)


def test_a_held_click_of_a_link_deleted_meanwhile_is_dropped(client):
    """The prospect forgotten during the outage stays forgotten: no click, no error."""
    link = make_link()
    with connection.execute_wrapper(database_down):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    link.delete()
    assert write_held_clicks() == 1
    assert (Click.objects.count(), held_click_paths()) == (0, [])


def test_a_click_the_spool_cannot_take_still_redirects(client, monkeypatch, caplog):
    """Database and disk both refuse: the prospect still lands; the click is logged in full."""
    link = make_link(destination_url="https://wesser.fr/offre")

    def disk_full(key, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(held_clicks, "spool", disk_full)
    with connection.execute_wrapper(database_down):
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/offre")
    assert any(record.getMessage().startswith("Click lost:") for record in caplog.records)


def database_wait_limit():
    """How long this connection lets a statement wait: SQLite's busy timeout (ms), PostgreSQL's
    statement_timeout (off by default: the redirect's watchdog bounds it from the client side)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout" if connection.vendor == "sqlite" else "SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_the_redirect_s_short_wait_does_not_leak_into_other_requests(client):
    """The click's INSERT waits TRACKING_DATABASE_TIMEOUT for a stuck writer (SQLite: a busy
    timeout of 0 on the connection, the redirect retrying by itself; PostgreSQL: the watchdog,
    nothing set on the connection); the next page or API request gets the configured wait back
    (SQLite 20 s, PostgreSQL unlimited)."""
    link = make_link()
    client.get("/accounts/login/")
    before = database_wait_limit()
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    after_click = database_wait_limit()
    client.get("/accounts/login/")
    expected = (20000, 0, 20000) if connection.vendor == "sqlite" else ("0", "0", "0")
    assert (before, after_click, database_wait_limit()) == expected
