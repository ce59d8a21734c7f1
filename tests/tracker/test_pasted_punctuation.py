"""A tracking URL pasted with a trailing / . , ) or ] still redirects and records the click."""

import pytest

from links.models import new_token
from tests.factories import make_link
from tests.tracker.test_wsgi_fast_path import serve
from tests.tracker.user_agents import CHROME
from tracker.models import Click
from tracker.tokens import TRAILING_PUNCTUATION, token_from_path

SUFFIXES = ["/", ".", ",", ")", "]", ").", "/."]


def test_tokens_never_contain_the_punctuation_a_paste_adds():
    """Tokens are A-Za-z0-9-_ only, so stripping / . , ) ] never cuts a real token."""
    tokens = "".join(new_token() for _ in range(5_000))
    assert set(tokens) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert not set(tokens) & set(TRAILING_PUNCTUATION)


def test_token_from_path_strips_only_trailing_punctuation():
    assert token_from_path("AbC-_9).") == "AbC-_9"
    assert token_from_path("AbC-_9") == "AbC-_9"
    assert token_from_path("Ab.C/") == "Ab.C"


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_pasted_url_with_trailing_punctuation_redirects_through_the_test_client(client, suffix):
    """Through Django (runserver, the test client): 302 to the destination, one human click."""
    link = make_link(destination_url="https://wesser.fr/offre")

    response = client.get(f"/t/{link.token}{suffix}", HTTP_USER_AGENT=CHROME)

    assert response.status_code == 302
    assert response["Location"] == "https://wesser.fr/offre"
    assert list(Click.objects.values_list("link_id", "verdict")) == [(link.id, "human")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_pasted_url_with_trailing_punctuation_redirects_through_gunicorns_application(suffix):
    """Through linktracker.wsgi.application (gunicorn's fast path): the same answer and click."""
    link = make_link(destination_url="https://wesser.fr/offre")

    status, headers, _ = serve(f"/t/{link.token}{suffix}", HTTP_USER_AGENT=CHROME)

    assert status == "302 Found"
    assert headers["Location"] == "https://wesser.fr/offre"
    assert list(Click.objects.values_list("link_id", "verdict")) == [(link.id, "human")]
