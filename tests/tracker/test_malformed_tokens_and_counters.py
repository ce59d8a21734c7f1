"""Malformed tokens are unknown tokens, and the miss counter can neither fail nor slow a click:
shared by the host's processes without Redis, skipped quickly when Redis is down or silent,
never touched by a known link's redirect."""

import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection

from linktracker.wsgi import application
from tests.factories import make_link
from tests.tracker.user_agents import CHROME
from tracker.destinations import cached_link
from tracker.miss_counter import count_miss
from tracker.models import Click
from tracker.views import not_found_page

REDIS_DB = "redis://127.0.0.1:6379/2"
MALFORMED = ["abc%00", "abc%00def", "%00", "a" * 33, "a.b", "abc%20", "%C3%A9t%C3%A9", "a%2Fb", "a;DROP", "x" * 5000]


def serve_wsgi(path):
    """(status line, body) of linktracker.wsgi.application for a raw PATH_INFO."""
    from wsgiref.util import setup_testing_defaults

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "REMOTE_ADDR": "82.64.10.77"}
    setup_testing_defaults(environ)
    answer = {}
    body = b"".join(application(environ, lambda status, headers, exc_info=None: answer.update(status=status)))
    return answer["status"], body


@pytest.mark.django_db
@pytest.mark.parametrize("token", MALFORMED)
def test_a_malformed_token_is_an_unknown_token_without_a_query(client, token, django_assert_num_queries):
    """A NUL byte, a slash, junk or an over-long token: the 404 page, no query, never a 500."""
    with django_assert_num_queries(0):
        response = client.get(f"/t/{token}", HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response.content.decode()) == (404, not_found_page())


@pytest.mark.django_db(transaction=True)
def test_a_nul_byte_reaching_the_wsgi_fast_path_is_a_404():
    """gunicorn decodes %00 into PATH_INFO: the fast path answers 404, on every database."""
    assert serve_wsgi("/t/abc\x00") == ("404 Not Found", not_found_page().encode())
    assert serve_wsgi("/t/\x00" * 3) == ("404 Not Found", not_found_page().encode())
    assert Click.objects.count() == 0


@pytest.mark.django_db
def test_malformed_tokens_count_as_misses(client, settings):
    """Malformed guesses use up the same per-network budget as well-formed ones."""
    settings.TRACKING_MISS_LIMIT = 3
    statuses = [client.get(f"/t/{token}", REMOTE_ADDR="198.51.100.7").status_code for token in MALFORMED[:5]]
    assert statuses == [404, 404, 404, 429, 429]


@pytest.mark.django_db
def test_without_redis_the_miss_count_is_shared_by_the_processes_of_the_host(settings):
    """Another process of the host (here: a fresh Python) adds to the same count."""
    key = f"tracking-misses:test:{uuid.uuid4().hex}"
    assert count_miss(key, 120) == 1
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tracker.miss_counter import count_miss;"
            f" print(count_miss({key!r}, 120))",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "linktracker.settings",
            "HOST_STORE_PATH": str(settings.HOST_STORE_PATH),
            "VAR_DIR": str(django_settings.VAR_DIR),
            "PATH": "/usr/bin:/bin",
        },
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (other_process.returncode, other_process.stdout.strip()) == (0, "2"), other_process.stderr
    assert count_miss(key, 120) == 3


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a hung Redis."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self):
        self.listener.close()
        for sock in self.accepted:
            sock.close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis(settings, location):
    """Point the miss counter and the destination cache at a Redis cache at `location`."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
    settings.MISS_COUNTER_CACHE_ALIAS = settings.DESTINATION_CACHE_ALIAS = "shared"


@pytest.mark.django_db
@pytest.mark.parametrize("redis", ["down", "silent"])
def test_an_unknown_token_answers_404_quickly_when_redis_is_down_or_silent(client, settings, redis, caplog):
    """Redis refusing or hanging: the miss is counted as the first, and the 404 comes after the
    short Redis timeouts (250 ms), not after a hang."""
    silent = SilentServer() if redis == "silent" else None
    use_redis(settings, f"redis://127.0.0.1:{silent.port if silent else closed_port()}/0")
    try:
        first = client.get("/t/doesNotExist0", HTTP_USER_AGENT=CHROME)  # also imports redis-py
        started = time.monotonic()
        response = client.get("/t/doesNotExist1", HTTP_USER_AGENT=CHROME)
        elapsed = time.monotonic() - started
    finally:
        if silent:
            silent.close()
    assert (first.status_code, response.status_code) == (404, 404)
    assert elapsed < 2.0
    assert "The unknown-token counter failed" in caplog.text


@pytest.mark.django_db
def test_a_known_link_redirect_never_touches_redis(client, settings):
    """With Redis silent, a known link redirects at once and Redis sees no connection."""
    link = make_link(destination_url="https://wesser.fr/offre")
    silent = SilentServer()
    use_redis(settings, f"redis://127.0.0.1:{silent.port}/0")
    try:
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
        time.sleep(0.05)
        connections_seen = len(silent.accepted)
    finally:
        silent.close()
    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/offre")
    assert (connections_seen, Click.objects.count()) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_destination_cache_serves_every_web_host(client, settings):
    """Links saved while Redis is configured redirect from it during an outage; deleting forgets."""
    use_redis(settings, REDIS_DB)
    link = make_link(destination_url="https://wesser.fr/redis")
    assert cached_link(link.token).destination_url == "https://wesser.fr/redis"

    def database_down(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(database_down):
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/redis")
    token = link.token
    link.delete()
    assert cached_link(token) is None
