"""GET /api/links/: the dashboard's links table, with filters, search, ordering and pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

URL = "/api/links/"


def emails(response):
    assert response.status_code == 200, response.content
    return [row["email"] for row in response.json()["results"]]


def test_each_row_has_the_link_its_all_time_human_clicks_and_its_status(api):
    """Clicks, first and last click count human clicks only; machine clicks only set the status."""
    link = make_link(email="john@company.com", icp="CEO")
    first = make_click(link, clicked_at=timezone.now() - timedelta(days=40))
    last = make_click(link, clicked_at=timezone.now() - timedelta(hours=1))
    make_click(link, verdict="scanner")

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    row = body["results"][0]
    assert row == {
        "id": link.id,
        "token": link.token,
        "tracking_url": f"http://testserver/t/{link.token}",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@company.com",
        "icp": "CEO",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://example.com/offer",
        "channel": "",
        "sent_at": None,
        "created_at": row["created_at"],
        "clicks": 2,
        "first_click": first.clicked_at.isoformat().replace("+00:00", "Z"),
        "last_click": last.clicked_at.isoformat().replace("+00:00", "Z"),
        "status": "Clicked",
        "account": "company.com",
        # Not forwarded: one device and one network, counted by the worker (tracker.forwarding).
        "shared": False,
        "shared_devices": 1,
        "shared_networks": 1,
        "shared_first_click_at": first.clicked_at.isoformat().replace("+00:00", "Z"),
        "shared_last_click_at": last.clicked_at.isoformat().replace("+00:00", "Z"),
    }


def test_the_status_says_scanner_only_or_not_clicked(api):
    """A link opened only by a scanner is "Scanner only"; an untouched one "Not clicked"."""
    scanned = make_link(email="scanned@company.com")
    make_click(scanned, verdict="scanner")
    make_link(email="quiet@company.com")

    rows = {row["email"]: (row["clicks"], row["status"]) for row in api.get(URL).json()["results"]}

    assert rows == {"scanned@company.com": (0, "Scanner only"), "quiet@company.com": (0, "Not clicked")}


@pytest.mark.parametrize(
    "status, expected",
    [
        ("clicked", ["clicked@company.com"]),
        ("scanner_only", ["scanned@company.com"]),
        ("not_clicked", ["quiet@company.com"]),
    ],
)
def test_status_filters_the_rows(api, status, expected):
    """?status=clicked|scanner_only|not_clicked."""
    make_click(make_link(email="clicked@company.com"))
    make_click(make_link(email="scanned@company.com"), verdict="bot")
    make_link(email="quiet@company.com")

    assert emails(api.get(URL, {"status": status})) == expected


def test_range_keeps_links_created_or_clicked_in_the_period(api):
    """?range=7d: links sent in the last 7 days, plus older links clicked by a human in them."""
    now = timezone.now()
    make_link(email="new@company.com", created_at=now - timedelta(days=1))
    old_clicked = make_link(email="old-clicked@company.com", created_at=now - timedelta(days=60))
    make_click(old_clicked, clicked_at=now - timedelta(days=2))
    make_click(old_clicked, clicked_at=now - timedelta(days=50))
    old_scanned = make_link(email="old-scanned@company.com", created_at=now - timedelta(days=60))
    make_click(old_scanned, clicked_at=now - timedelta(days=2), verdict="scanner")
    make_link(email="old@company.com", created_at=now - timedelta(days=60))

    response = api.get(URL, {"range": "7d", "ordering": "created_at"})

    assert emails(response) == ["old-clicked@company.com", "new@company.com"]
    assert response.json()["results"][0]["clicks"] == 2  # all-time clicks, not only those in range


def test_range_all_keeps_every_link(api):
    """range=all is the default and filters nothing."""
    make_link(email="old@company.com", created_at=timezone.now() - timedelta(days=400))

    assert emails(api.get(URL, {"range": "all"})) == ["old@company.com"]


def test_an_unknown_range_is_refused_naming_the_allowed_values(api):
    """400 with the list of valid ranges."""
    response = api.get(URL, {"range": "1y"})

    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_campaign_filters_by_name_and_an_unknown_name_gives_no_rows(api):
    """?campaign=<name>; an unknown campaign is an empty list, not an error."""
    make_link(email="aura@company.com", campaign="aura.camp")
    make_link(email="wesser@company.com", campaign="wesser-recrutement.fr")

    assert emails(api.get(URL, {"campaign": "aura.camp"})) == ["aura@company.com"]
    assert emails(api.get(URL, {"campaign": "nope"})) == []


def test_icp_filters_by_label_and_non_defini_selects_links_without_icp(api):
    """?icp=CEO; ?icp=Non défini selects the links stored without ICP."""
    make_link(email="ceo@company.com", icp="CEO")
    make_link(email="none@company.com", icp=None)

    assert emails(api.get(URL, {"icp": "CEO"})) == ["ceo@company.com"]
    assert emails(api.get(URL, {"icp": "Non défini"})) == ["none@company.com"]


def test_search_matches_first_name_last_name_or_email_ignoring_case(api):
    """?search= looks in names and e-mail; every word must match ("jane smith")."""
    make_link(email="john@company.com", first_name="John", last_name="Doe")
    make_link(email="jane@startup.io", first_name="Jane", last_name="Smith")
    make_link(email="contact@smithson.com", first_name="Paul", last_name="Martin")

    assert emails(api.get(URL, {"search": "SMITH", "ordering": "created_at"})) == [
        "jane@startup.io",
        "contact@smithson.com",
    ]
    assert emails(api.get(URL, {"search": "jane smith"})) == ["jane@startup.io"]
    assert emails(api.get(URL, {"search": "doe"})) == ["john@company.com"]


def test_rows_are_newest_first_by_default(api):
    """Default ordering: -created_at."""
    now = timezone.now()
    make_link(email="older@company.com", created_at=now - timedelta(days=2))
    make_link(email="newer@company.com", created_at=now - timedelta(days=1))

    assert emails(api.get(URL)) == ["newer@company.com", "older@company.com"]


def test_ordering_by_clicks_and_by_click_times(api):
    """?ordering=-clicks, last_click...; links never clicked come last either way."""
    now = timezone.now()
    never = make_link(email="never@company.com")
    once = make_link(email="once@company.com")
    make_click(once, clicked_at=now - timedelta(hours=1))
    twice = make_link(email="twice@company.com")
    make_click(twice, clicked_at=now - timedelta(hours=5))
    make_click(twice, clicked_at=now - timedelta(hours=3))
    assert never

    assert emails(api.get(URL, {"ordering": "-clicks"})) == [
        "twice@company.com",
        "once@company.com",
        "never@company.com",
    ]
    assert emails(api.get(URL, {"ordering": "clicks"})) == [
        "never@company.com",
        "once@company.com",
        "twice@company.com",
    ]
    assert emails(api.get(URL, {"ordering": "-last_click"})) == [
        "once@company.com",
        "twice@company.com",
        "never@company.com",
    ]
    assert emails(api.get(URL, {"ordering": "last_click"})) == [
        "twice@company.com",
        "once@company.com",
        "never@company.com",
    ]
    assert emails(api.get(URL, {"ordering": "first_click"})) == [
        "twice@company.com",
        "once@company.com",
        "never@company.com",
    ]
    assert emails(api.get(URL, {"ordering": "-first_click"})) == [
        "once@company.com",
        "twice@company.com",
        "never@company.com",
    ]


def test_an_unknown_ordering_is_refused(api):
    """Only the documented orderings are accepted."""
    response = api.get(URL, {"ordering": "token"})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_pages_follow_page_size_up_to_500(api):
    """?page_size= sets the page length, capped at 500."""
    for number in range(3):
        make_link(email=f"p{number}@company.com")

    first_page = api.get(URL, {"page_size": 2}).json()
    second_page = api.get(URL, {"page_size": 2, "page": 2}).json()

    assert (first_page["count"], len(first_page["results"])) == (3, 2)
    assert first_page["next"] == "http://testserver/api/links/?page=2&page_size=2"
    assert len(second_page["results"]) == 1
    assert api.get(URL, {"page_size": 10_000}).json()["count"] == 3


def test_the_list_takes_the_same_queries_for_3_or_30_links(api, django_assert_max_num_queries):
    """One aggregated query for the page, one for the count, however many links (plus auth)."""
    for number in range(30):
        make_click(make_link(email=f"p{number}@company.com"))

    with django_assert_max_num_queries(3):
        response = api.get(URL)

    assert response.json()["count"] == 30


def test_the_list_needs_a_token_or_a_session(anonymous_api):
    """Anonymous: 401."""
    assert anonymous_api.get(URL).status_code == 401


def test_there_is_no_update_through_the_api(api):
    """Links are edited in the admin; PUT and PATCH are not allowed."""
    link = make_link()

    assert api.patch(f"{URL}{link.id}/", {"icp": "CTO"}, format="json").status_code == 405
    assert api.put(f"{URL}{link.id}/", {"icp": "CTO"}, format="json").status_code == 405
