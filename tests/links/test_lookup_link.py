"""GET /api/links/lookup?email=&campaign=: one prospect's click status, flat, for a Clay column."""

import datetime

import pytest

from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("path", ["/api/links/lookup", "/api/links/lookup/"])
def test_a_clicked_link_answers_its_status_with_and_without_the_slash(api, path, settings):
    """Both spellings answer 200 directly (no redirect), the e-mail in any case."""
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    link = make_link(email="jane@acme.com")
    make_click(link, clicked_at=NOON)
    make_click(link, clicked_at=NOON + datetime.timedelta(hours=2))
    make_click(link, clicked_at=NOON + datetime.timedelta(hours=3), verdict="scanner")
    response = api.get(path, {"email": "Jane@Acme.com", "campaign": "wesser-recrutement.fr"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "Clicked",
        "human_clicks": 2,
        "first_click_at": "2026-11-24T12:00:00Z",
        "last_click_at": "2026-11-24T14:00:00Z",
        "tracking_url": f"https://go.example.com/t/{link.token}",
        "token": link.token,
    }


@pytest.mark.parametrize(
    ("verdicts", "status"),
    [((), "Not clicked"), (("scanner",), "Scanner only"), (("internal",), "Scanner only")],
)
def test_the_status_follows_the_csv_rule(api, verdicts, status):
    """No human click: Scanner only with machine or internal clicks, else Not clicked."""
    link = make_link()
    for verdict in verdicts:
        make_click(link, verdict=verdict)
    body = api.get("/api/links/lookup", {"email": link.email, "campaign": "wesser-recrutement.fr"}).json()
    assert (body["status"], body["human_clicks"], body["first_click_at"]) == (status, 0, None)


def test_missing_parameters_answer_400_per_field(api):
    response = api.get("/api/links/lookup")
    assert response.status_code == 400
    assert response.json() == {"email": ["This field is required."], "campaign": ["This field is required."]}


def test_an_unknown_prospect_answers_404_json(api):
    make_link(email="jane@acme.com")
    response = api.get("/api/links/lookup", {"email": "jane@acme.com", "campaign": "other.fr"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No link for this e-mail in this campaign."}


def test_several_links_of_a_prospect_answer_the_newest_or_the_given_destination(api):
    older = make_link(destination_url="https://example.com/a")
    newer = make_link(destination_url="https://example.com/b")
    query = {"email": older.email, "campaign": "wesser-recrutement.fr"}
    assert api.get("/api/links/lookup", query).json()["token"] == newer.token
    chosen = api.get("/api/links/lookup", {**query, "destination_url": "https://example.com/a"}).json()
    assert chosen["token"] == older.token


def test_the_lookup_needs_a_token(anonymous_api):
    response = anonymous_api.get("/api/links/lookup", {"email": "a@b.com", "campaign": "x"})
    assert response.status_code == 401
