"""The team's own clicks are `internal`: from INTERNAL_NETWORKS, a team browser (cookie), or a
tracking URL opened with ?lt_no_track=1. Kept, never counted as human."""

from io import StringIO

import pytest
from django.core.management import call_command

from links.models import Link
from tests.factories import make_link
from tests.tracker.click_facts import click_facts
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.classification import classify
from tracker.derivation import derive_click_figures
from tracker.internal import TEAM_COOKIE_NAME
from tracker.models import Click

pytestmark = pytest.mark.django_db


def test_lt_no_track_makes_the_click_internal_and_is_not_passed_on(client):
    """The team can open a link without leaving a prospect's click; the destination never sees
    the parameter, the other parameters still pass."""
    link = make_link(destination_url="https://wesser.fr/offre?ref=mail")
    response = client.get(f"/t/{link.token}?lt_no_track=1&utm_content=a", HTTP_USER_AGENT=CHROME)
    assert response["Location"] == "https://wesser.fr/offre?ref=mail&utm_content=a"
    click = Click.objects.get()
    assert (click.verdict, click.reason) == ("internal", "request: lt_no_track")


def test_a_team_browser_cookie_makes_the_click_internal(client):
    link = make_link()
    client.cookies[TEAM_COOKIE_NAME] = "1"
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert Click.objects.values_list("verdict", "reason").get() == ("internal", "request: team browser cookie")


def test_a_click_from_an_internal_network_is_internal(client, settings):
    settings.INTERNAL_NETWORKS = ["82.64.10.0/24", "2001:db8::/32"]
    office, home = make_link(email="a@acme.com"), make_link(email="b@acme.com")
    client.get(f"/t/{office.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="82.64.10.77")
    client.get(f"/t/{home.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="82.64.11.77")
    assert sorted(Click.objects.values_list("verdict", "reason")) == [
        ("human", ""),
        ("internal", "network: internal 82.64.10.0/24"),
    ]


def test_internal_comes_before_the_machine_rules():
    """A teammate's Slack paste opened with the team cookie is internal, not a preview."""
    facts = click_facts(user_agent=SLACKBOT)
    assert classify(facts)[0] == "preview"
    assert classify(facts._replace(team_browser=True)) == ("internal", "request: team browser cookie")


def test_an_internal_only_link_is_not_clicked(client, api):
    """Internal clicks count as machine clicks: the link reads Scanner only, with 0 clicks."""
    link = make_link()
    client.get(f"/t/{link.token}?lt_no_track=1", HTTP_USER_AGENT=CHROME)
    derive_click_figures()
    summary = Link.objects.with_click_summary().get()
    assert (summary.click_count, summary.status) == (0, "Scanner only")
    overview = api.get("/api/stats/overview/").json()
    assert overview["filtered_by_verdict"]["internal"] == 1


def test_the_redirect_with_a_team_cookie_is_still_two_statements(client, django_assert_num_queries):
    """Reading the cookie and the parameter adds no query."""
    link = make_link()
    client.cookies[TEAM_COOKIE_NAME] = "1"
    # 1. SELECT the link by token, with its clicks of the last BURST_WINDOW_SECONDS
    # 2. INSERT the click
    with django_assert_num_queries(2):
        client.get(f"/t/{link.token}?lt_no_track=1", HTTP_USER_AGENT=CHROME)


def test_logging_in_marks_the_browser_as_the_teams(client, operator):
    response = client.post("/accounts/login/", {"username": "operator", "password": "s3cret-pass-phrase"})
    assert response.status_code == 302
    cookie = response.cookies[TEAM_COOKIE_NAME]
    assert (cookie.value, cookie["httponly"], cookie["samesite"]) == ("1", True, "Lax")


def test_the_team_browser_page_marks_a_browser_in_one_click(client, operator):
    client.force_login(operator)
    page = client.get("/team-browser/")
    assert "This browser is not marked yet." in page.content.decode()
    response = client.post("/team-browser/")
    assert (response.status_code, response["Location"]) == (302, "/team-browser/")
    assert response.cookies[TEAM_COOKIE_NAME].value == "1"
    assert "This browser is marked as the team's." in client.get("/team-browser/").content.decode()


def test_the_team_browser_page_needs_a_login(client):
    response = client.get("/team-browser/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/team-browser/")


def test_a_bare_lt_no_track_counts_and_head_drops_it_too(client):
    """?lt_no_track without a value is enough; a HEAD's Location never carries it either."""
    link = make_link(destination_url="https://wesser.fr/offre")
    get = client.get(f"/t/{link.token}?lt_no_track", HTTP_USER_AGENT=CHROME)
    head = client.head(f"/t/{link.token}?a=1&lt_no_track=1", HTTP_USER_AGENT=CHROME)
    assert (get["Location"], head["Location"]) == ("https://wesser.fr/offre", "https://wesser.fr/offre?a=1")
    assert list(Click.objects.values_list("verdict", flat=True)) == ["internal"]


def test_reclassifying_keeps_verdicts_that_came_from_the_request(client):
    """The team cookie and ?lt_no_track are not stored: re-applying the rules keeps those verdicts."""
    link = make_link()
    client.get(f"/t/{link.token}?lt_no_track=1", HTTP_USER_AGENT=CHROME)
    call_command("reclassify_clicks", stdout=StringIO())
    assert Click.objects.values_list("verdict", "reason").get() == ("internal", "request: lt_no_track")
