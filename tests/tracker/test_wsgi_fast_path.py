"""gunicorn's application answers /t/<token> below Django's request cycle, with the same answers.

These tests call linktracker.wsgi.application as gunicorn does (through wsgiref's PEP 3333
validator), so they run with real connection handling: transactional tests, no test client.
"""

import datetime
import time
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import time_machine
from django.db import OperationalError, connection

from linktracker.errors import RETRY_AFTER_SECONDS, SERVER_ERROR_MESSAGE
from linktracker.wsgi import application
from tests.factories import make_link
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.destinations import forget_tokens
from tracker.models import Click
from tracker.views import not_found_page

pytestmark = pytest.mark.django_db(transaction=True)

TEN_SECONDS_INTO_A_MINUTE = datetime.datetime(2026, 11, 24, 10, 30, 10, tzinfo=datetime.UTC)


def serve(path, method="GET", query="", remote_addr="82.64.10.77", **headers):
    """Return (status line, headers as a dict, body) of one request to linktracker.wsgi.application."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote_addr,
        **headers,
    }
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=response_headers)
        return lambda data: None

    chunks = validator(application)(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        chunks.close()
    return answer["status"], dict(answer["headers"]), body


def test_a_click_redirects_with_302_and_stores_one_row():
    """Location is the destination; the click keeps the /24, user agent, referer and verdict."""
    link = make_link(destination_url="https://wesser.fr/offre")
    status, headers, body = serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, HTTP_REFERER="https://mail.google.com/")
    assert (status, body) == ("302 Found", b"")
    assert headers == {
        "Location": "https://wesser.fr/offre",
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Length": "0",
    }
    assert list(Click.objects.values_list("link_id", "ip", "user_agent", "referer", "verdict", "reason")) == [
        (link.id, "82.64.10.0", CHROME, "https://mail.google.com/", "human", ""),
    ]


def test_a_machine_click_gets_the_same_redirect_and_its_verdict():
    """A link previewer is redirected like a person, and stored as a preview."""
    link = make_link(destination_url="https://wesser.fr/offre")
    status, headers, _ = serve(f"/t/{link.token}", HTTP_USER_AGENT=SLACKBOT)
    assert (status, headers["Location"]) == ("302 Found", "https://wesser.fr/offre")
    assert list(Click.objects.values_list("verdict", "reason")) == [("preview", "ua: Slackbot")]


def test_the_tracking_url_query_is_passed_on_to_the_destination():
    """utm parameters on the tracking URL reach the destination, its own parameters kept."""
    link = make_link(destination_url="https://wesser.fr/offre?ref=mail")
    _, headers, _ = serve(f"/t/{link.token}", query="utm_content=relance%202", HTTP_USER_AGENT=CHROME)
    assert headers["Location"] == "https://wesser.fr/offre?ref=mail&utm_content=relance+2"


def test_head_redirects_and_stores_nothing():
    """HEAD is a link checker, never a click."""
    link = make_link(destination_url="https://wesser.fr/offre")
    status, headers, _ = serve(f"/t/{link.token}", method="HEAD", HTTP_USER_AGENT=CHROME)
    assert (status, headers["Location"]) == ("302 Found", "https://wesser.fr/offre")
    assert Click.objects.count() == 0


def test_an_unknown_token_answers_the_404_page_and_stores_nothing():
    """The same page as Django's path, never cached."""
    status, headers, body = serve("/t/doesNotExist1", HTTP_USER_AGENT=CHROME)
    assert (status, body) == ("404 Not Found", not_found_page().encode())
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Length"] == str(len(body))
    assert Click.objects.count() == 0


@time_machine.travel(TEN_SECONDS_INTO_A_MINUTE, tick=False)
def test_too_many_misses_from_one_network_get_429(settings):
    """Past TRACKING_MISS_LIMIT misses a minute, a /24 is refused until the minute ends."""
    settings.TRACKING_MISS_LIMIT = 2
    statuses = [serve(f"/t/guess{n}", remote_addr="198.51.100.7")[0] for n in range(2)]
    assert statuses == ["404 Not Found"] * 2
    status, headers, body = serve("/t/guess2", remote_addr="198.51.100.200")
    assert (status, body) == ("429 Too Many Requests", b"Too many unknown links, try again later.\n")
    assert (headers["Retry-After"], headers["Cache-Control"]) == ("50", "no-store")


def test_a_post_is_refused_with_405_and_stores_nothing():
    """Only GET and HEAD follow a link."""
    link = make_link()
    status, headers, body = serve(f"/t/{link.token}", method="POST", HTTP_USER_AGENT=CHROME)
    assert (status, headers["Allow"], headers["Cache-Control"], body) == (
        "405 Method Not Allowed",
        "GET, HEAD",
        "no-store",
        b"",
    )
    assert Click.objects.count() == 0


def test_a_database_outage_answers_the_503_page_for_a_link_the_cache_does_not_know(caplog):
    """Nothing is lost silently: without a cached destination the visitor reads that the
    database is down and when to retry (links the cache knows redirect: tests/tracker/test_outage.py)."""
    link = make_link()
    forget_tokens([link.token])

    def database_down(execute, sql, params, many, context):
        raise OperationalError("database is locked")

    with connection.execute_wrapper(database_down):
        status, headers, body = serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert status == "503 Service Unavailable"
    assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "<h1>Database unavailable</h1>" in body.decode()
    assert [(record.levelname, record.getMessage()) for record in caplog.records if record.levelname == "ERROR"] == [
        ("ERROR", f"Service Unavailable: /t/{link.token}"),
    ]
    assert Click.objects.count() == 0


def test_any_other_error_is_a_plain_500_without_details(monkeypatch, caplog):
    """The traceback goes to the log, never to the visitor."""

    def broken(token, burst_start, database=None):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("tracker.views.find_link", broken)
    status, headers, body = serve("/t/abc", HTTP_USER_AGENT=CHROME)
    assert (status, headers["Content-Type"], body) == (
        "500 Internal Server Error",
        "text/plain; charset=utf-8",
        SERVER_ERROR_MESSAGE.encode(),
    )
    [record] = caplog.records
    assert (record.levelname, record.getMessage(), str(record.exc_info[1])) == (
        "ERROR",
        "Internal Server Error: /t/abc",
        "secret detail",
    )


def test_other_paths_are_served_by_django():
    """The login page goes through Django's whole request cycle."""
    status, headers, body = serve("/accounts/login/")
    assert status == "200 OK"
    assert "csrftoken" in headers["Set-Cookie"]
    assert b'name="password"' in body


def test_the_connection_is_kept_between_clicks():
    """Persistent connections: a second click reuses the first one's connection."""
    link = make_link()
    serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    first = connection.connection
    serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert first is not None and connection.connection is first
    assert Click.objects.count() == 2


def test_a_connection_past_conn_max_age_is_closed_after_the_click():
    """What Django's request_finished does: the connection is dropped once it is too old."""
    link = make_link()
    serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert connection.connection is not None
    connection.close_at = time.monotonic() - 1
    status, _, _ = serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert status == "302 Found"
    assert connection.connection is None
    assert Click.objects.count() == 2


def test_a_dead_reused_connection_is_replaced_and_the_click_recorded():
    """A database restart between two clicks costs no click."""
    link = make_link(destination_url="https://wesser.fr/offre")
    serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    connection.connection.close()  # the database side went away; Django still holds the handle
    status, headers, _ = serve(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert (status, headers["Location"]) == ("302 Found", "https://wesser.fr/offre")
    assert Click.objects.count() == 2
