"""GET /t/<token>: a prospect's click is stored, then they land on the destination."""

import pytest

from links.models import Link
from links.public_urls import tracking_url
from tests.factories import make_link
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.models import Click

pytestmark = pytest.mark.django_db


def test_a_click_redirects_with_302_to_the_destination(client):
    """The redirect is a 302, never a cached 301, and goes to destination_url."""
    link = make_link(destination_url="https://wesser.fr/offre")
    response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert response["Location"] == "https://wesser.fr/offre"
    assert response["Cache-Control"] == "no-store"
    assert response.content == b""


def test_a_click_stores_one_row_with_anonymised_ipv4_user_agent_and_referer(client):
    """The IPv4 address is kept to its /24; user agent and referer as sent."""
    link = make_link()
    client.get(
        f"/t/{link.token}", REMOTE_ADDR="82.64.10.77", HTTP_USER_AGENT=CHROME, HTTP_REFERER="https://mail.google.com/"
    )
    click = Click.objects.get()
    assert (click.link_id, click.ip, click.user_agent, click.referer, click.verdict, click.reason) == (
        link.id,
        "82.64.10.0",
        CHROME,
        "https://mail.google.com/",
        "human",
        "",
    )


def test_an_ipv6_client_is_stored_to_its_48(client):
    """IPv6 addresses keep their first 48 bits only."""
    link = make_link()
    client.get(f"/t/{link.token}", REMOTE_ADDR="2a01:e0a:1f3:5c40:8d2f:3a1b:c2d4:9e10", HTTP_USER_AGENT=CHROME)
    assert Click.objects.get().ip == "2a01:e0a:1f3::"


def test_full_ips_are_stored_when_anonymising_is_off(client, settings):
    """ANONYMIZE_IPS=false keeps the whole address."""
    settings.ANONYMIZE_IPS = False
    link = make_link()
    client.get(f"/t/{link.token}", REMOTE_ADDR="82.64.10.77", HTTP_USER_AGENT=CHROME)
    assert Click.objects.get().ip == "82.64.10.77"


def test_long_user_agent_and_referer_are_trimmed_to_the_column_length(client):
    """Headers longer than the columns are cut at insert time instead of failing the click."""
    link = make_link()
    client.get(
        f"/t/{link.token}", HTTP_USER_AGENT=CHROME + " x" * 400, HTTP_REFERER="https://example.org/?q=" + "a" * 700
    )
    click = Click.objects.get()
    assert click.user_agent == (CHROME + " x" * 400)[:512]
    assert click.referer == ("https://example.org/?q=" + "a" * 700)[:512]


def test_a_nul_character_in_the_user_agent_does_not_lose_the_click(client):
    """PostgreSQL refuses NUL in text; the click is stored without it."""
    link = make_link()
    response = client.get(f"/t/{link.token}", HTTP_USER_AGENT="Mozilla/5.0\x00 evil")
    assert response.status_code == 302
    assert Click.objects.get().user_agent == "Mozilla/5.0 evil"


def test_every_click_is_one_select_and_one_insert(client, django_assert_num_queries):
    """The hot path runs exactly two statements and writes nothing but the click: the link's
    counters and the rollup are the worker's (no trigger, no UPDATE of the link)."""
    link = make_link()
    # 1. SELECT the link by token, with its clicks of the last BURST_WINDOW_SECONDS
    # 2. INSERT the click
    with django_assert_num_queries(2) as captured:
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    select, insert = (query["sql"] for query in captured.captured_queries)
    assert select.startswith("SELECT link.id, link.destination_url")
    assert insert.startswith("INSERT INTO tracker_click ")
    assert Link.objects.values_list("human_clicks", "last_click_at").get(pk=link.pk) == (0, None)


def test_a_machine_click_gets_the_same_redirect_as_a_human_one(client):
    """A scanner answered differently would report the link as dead."""
    link = make_link(destination_url="https://wesser.fr/offre")
    human = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    machine = client.get(f"/t/{link.token}", HTTP_USER_AGENT=SLACKBOT)
    assert (machine.status_code, machine["Location"]) == (human.status_code, human["Location"])
    assert machine.content == human.content
    assert sorted(Click.objects.values_list("verdict", flat=True)) == ["human", "preview"]


def test_head_redirects_and_stores_nothing(client):
    """HEAD (link checkers, some previewers) gets the 302 but is no click."""
    link = make_link(destination_url="https://wesser.fr/offre")
    response = client.head(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert response["Location"] == "https://wesser.fr/offre"
    assert response["Cache-Control"] == "no-store"
    assert Click.objects.count() == 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_are_refused_with_405(client, method):
    """Only GET and HEAD are tracking requests."""
    link = make_link()
    response = getattr(client, method)(f"/t/{link.token}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Cache-Control"] == "no-store"
    assert Click.objects.count() == 0


def test_the_tracking_url_handed_out_is_the_path_the_redirect_answers(client, rf):
    """links.public_urls.tracking_url() builds the URL that the click path answers."""
    link = make_link()
    url = tracking_url(rf.get("/"), link.token)
    assert url == f"http://testserver/t/{link.token}"
    assert client.get(url, HTTP_USER_AGENT=CHROME).status_code == 302


def test_the_redirect_does_not_start_a_session(client):
    """No cookie: the redirect skips sessions, auth and CSRF."""
    link = make_link()
    response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.cookies == {}
    assert "Vary" not in response
