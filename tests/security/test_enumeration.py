"""Tracking tokens resist enumeration: every miss looks the same, and a client that keeps missing is
throttled (429) while its real clicks still go through."""

import secrets

import pytest
from django.core.cache import cache

from tests.factories import make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_miss_counters():
    cache.clear()
    yield
    cache.clear()


def miss(client, ip="198.51.100.7", **headers):
    return client.get(f"/t/{secrets.token_urlsafe(8)}", REMOTE_ADDR=ip, HTTP_USER_AGENT=CHROME, **headers)


def test_random_misses_all_answer_the_same_404_body_and_headers(client):
    """A guessed token learns nothing: same status, same body, same headers, whatever the token."""
    responses = [miss(client, ip=f"203.0.{n}.9") for n in range(5)]
    responses.append(client.get("/t/" + "A" * 11, REMOTE_ADDR="203.0.200.9"))

    assert {response.status_code for response in responses} == {404}
    assert len({response.content for response in responses}) == 1
    assert len({tuple(sorted(response.headers.items())) for response in responses}) == 1
    assert b"Link not found" in responses[0].content
    assert Click.objects.count() == 0


def test_a_client_that_keeps_missing_gets_429(client, settings):
    """Past TRACKING_MISS_LIMIT unknown tokens a minute from one /24, misses answer 429 + Retry-After."""
    settings.TRACKING_MISS_LIMIT = 5

    statuses = [miss(client).status_code for _ in range(5)]
    throttled = miss(client, ip="198.51.100.200")  # same /24: the neighbour shares the budget

    assert statuses == [404] * 5
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.content == b"Too many unknown links, try again later.\n"
    assert miss(client, ip="192.0.2.1").status_code == 404  # other networks are not punished


def test_a_throttled_client_can_still_follow_a_real_link(client, settings):
    """The limit counts misses only: a prospect behind a noisy network still gets redirected."""
    settings.TRACKING_MISS_LIMIT = 3
    link = make_link(destination_url="https://wesser.fr/offre")
    for _ in range(4):
        miss(client)
    assert miss(client).status_code == 429

    response = client.get(f"/t/{link.token}", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT=CHROME)

    assert (response.status_code, response["Location"]) == (302, "https://wesser.fr/offre")
    assert Click.objects.filter(link=link).count() == 1


def test_a_forged_forwarded_for_header_does_not_reset_the_budget(client, settings):
    """Without a trusted proxy, X-Forwarded-For is ignored: rotating it does not escape the limit."""
    settings.TRACKING_MISS_LIMIT = 3
    statuses = [miss(client, HTTP_X_FORWARDED_FOR=f"10.0.{n}.1").status_code for n in range(5)]

    assert statuses == [404, 404, 404, 429, 429]
