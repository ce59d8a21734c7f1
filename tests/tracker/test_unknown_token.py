"""Unknown tokens: a plain 404 page, nothing stored, and a limit on guessing."""

import datetime

import pytest
import time_machine

from tests.factories import make_link
from tests.tracker.user_agents import CHROME
from tracker.models import Click
from tracker.views import not_found_page

pytestmark = pytest.mark.django_db

TEN_SECONDS_INTO_A_MINUTE = datetime.datetime(2026, 11, 24, 10, 30, 10, tzinfo=datetime.UTC)


def test_an_unknown_token_answers_the_404_page_and_stores_nothing(client):
    """No link, no click; the page says the link does not exist."""
    response = client.get("/t/doesNotExist1", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode() == not_found_page()
    assert "<h1>Link not found</h1>" in response.content.decode()
    assert Click.objects.count() == 0


def test_every_miss_gets_the_same_body(client):
    """The 404 reveals nothing about the token tried."""
    first = client.get("/t/aaaaaaaaaaa")
    second = client.get("/t/" + "z" * 40)
    assert first.content == second.content
    assert first.headers == second.headers


def test_a_head_on_an_unknown_token_is_a_404(client):
    """HEAD finds no link either."""
    response = client.head("/t/doesNotExist1")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


@time_machine.travel(TEN_SECONDS_INTO_A_MINUTE, tick=False)
def test_more_than_30_misses_a_minute_from_one_network_get_429(client):
    """The 31st unknown token from a /24 within a minute is refused until the minute ends."""
    statuses = [client.get(f"/t/guess{n}", REMOTE_ADDR="198.51.100.7").status_code for n in range(30)]
    assert statuses == [404] * 30
    response = client.get("/t/guess30", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert response["Cache-Control"] == "no-store"
    neighbour = client.get("/t/guess31", REMOTE_ADDR="198.51.100.200")
    assert neighbour.status_code == 429
    assert client.get("/t/guess32", REMOTE_ADDR="203.0.113.9").status_code == 404


@time_machine.travel(TEN_SECONDS_INTO_A_MINUTE, tick=False)
def test_real_clicks_still_go_through_from_a_rate_limited_network(client, settings):
    """A valid token always redirects and records, even from a client over the limit."""
    settings.TRACKING_MISS_LIMIT = 3
    link = make_link(destination_url="https://wesser.fr/offre")
    for n in range(4):
        client.get(f"/t/guess{n}", REMOTE_ADDR="198.51.100.7")
    assert client.get("/t/guess4", REMOTE_ADDR="198.51.100.7").status_code == 429
    response = client.get(f"/t/{link.token}", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert response["Location"] == "https://wesser.fr/offre"
    assert list(Click.objects.values_list("link_id", "ip", "verdict")) == [(link.id, "198.51.100.0", "human")]


def test_the_miss_counter_starts_again_the_next_minute(client, settings):
    """The limit is per minute: guessing slowly is useless, not banned."""
    settings.TRACKING_MISS_LIMIT = 2
    with time_machine.travel(TEN_SECONDS_INTO_A_MINUTE, tick=False) as clock:
        assert [client.get(f"/t/guess{n}").status_code for n in range(3)] == [404, 404, 429]
        clock.shift(datetime.timedelta(seconds=50))
        assert client.get("/t/guess3").status_code == 404


@pytest.mark.parametrize("path", ["/t/", "/t/abc/", "/t/abc/def"])
def test_paths_no_token_can_match_are_misses_too(client, path):
    """Empty tokens and extra slashes get the same 404 page, never Django's default one."""
    response = client.get(path)
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode() == not_found_page()
