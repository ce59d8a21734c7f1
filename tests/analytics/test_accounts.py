"""GET /api/stats/accounts/: the companies behind the prospects (cohort), free-mail kept per person."""

import pytest

from tests.analytics.conftest import DAY, HOUR, MINUTE, ago

pytestmark = pytest.mark.django_db


def accounts(api, query=""):
    response = api.get(f"/api/stats/accounts/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def test_prospects_are_grouped_by_company_and_free_mail_stays_per_person(api, accounts_world):
    """acme.com: 3 of 5 clicked (CEO, CTO, VP Sales); free-mail prospects are accounts of their own."""
    assert accounts(api) == {
        "count": 5,
        "next": None,
        "previous": None,
        "results": [
            {
                "account": "acme.com",
                "prospects": 5,
                "clickers": 3,
                "clicks": 4,
                "icps": ["CEO", "CTO", "VP Sales"],
                "first_click_at": iso(ago(2 * DAY)),
                "last_click_at": iso(ago(20 * HOUR)),
            },
            {
                "account": "globex.io",
                "prospects": 2,
                "clickers": 2,
                "clicks": 5,
                "icps": ["CEO", "CTO"],
                "first_click_at": iso(ago(2 * DAY)),
                "last_click_at": iso(ago(6 * HOUR - 10 * MINUTE)),
            },
            {
                "account": "jean.dupont@orange.fr",
                "prospects": 1,
                "clickers": 1,
                "clicks": 1,
                "icps": ["CEO"],
                "first_click_at": iso(ago(10 * HOUR)),
                "last_click_at": iso(ago(10 * HOUR)),
            },
            {
                "account": "paul@hotmail.fr",
                "prospects": 1,
                "clickers": 1,
                "clicks": 1,
                "icps": ["Non défini"],
                "first_click_at": iso(ago(5 * HOUR)),
                "last_click_at": iso(ago(5 * HOUR)),
            },
            {
                "account": "marie@gmail.com",
                "prospects": 1,
                "clickers": 0,
                "clicks": 0,
                "icps": [],
                "first_click_at": None,
                "last_click_at": None,
            },
        ],
    }


def test_machine_clicks_make_clickers_only_when_asked(api, accounts_world):
    """include_bots=true: the scanners on vp@ and ops@ count, so acme has 4 clickers and 6 clicks."""
    acme = accounts(api, "?include_bots=true")["results"][0]
    assert (acme["account"], acme["clickers"], acme["clicks"], acme["icps"]) == (
        "acme.com",
        4,
        6,
        ["CEO", "CTO", "Non défini", "VP Sales"],
    )
    assert acme["first_click_at"] == iso(ago(3 * DAY - MINUTE))


def test_the_range_keeps_the_links_created_in_it(api, accounts_world):
    """range=24h: only b@globex.io was created in the last day (cohort), with its 2 clicks."""
    assert [
        (row["account"], row["prospects"], row["clickers"], row["clicks"])
        for row in accounts(api, "?range=24h")["results"]
    ] == [("globex.io", 1, 1, 2)]


def test_an_unknown_campaign_gives_no_account(api, accounts_world):
    """An unknown campaign is an empty page, not an error."""
    assert accounts(api, "?campaign=nope") == {"count": 0, "next": None, "previous": None, "results": []}


def test_pages_follow_the_sort(api, accounts_world):
    """page_size=2: the two most engaged accounts on page 1, the next two on page 2."""
    first = accounts(api, "?page_size=2")
    second = accounts(api, "?page_size=2&page=2")
    assert [row["account"] for row in first["results"]] == ["acme.com", "globex.io"]
    assert [row["account"] for row in second["results"]] == ["jean.dupont@orange.fr", "paul@hotmail.fr"]
    assert first["count"] == 5


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, accounts_world):
    response = api.get("/api/stats/accounts/?range=1y")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_accounts_are_one_count_and_one_aggregation(api, accounts_world, django_assert_num_queries):
    """The auth token, then the paginator's COUNT of accounts and the page's GROUP BY."""
    with django_assert_num_queries(3):
        accounts(api)


def test_the_accounts_figure_answers_anonymous_callers_401(anonymous_api):
    assert anonymous_api.get("/api/stats/accounts/").status_code == 401


def test_the_links_list_marks_the_forwarded_link_with_its_evidence(api, accounts_world):
    """a@globex.io: 2 devices, 2 networks, 24 h apart -> shared; b@globex.io: 10 minutes apart -> not."""
    rows = api.get("/api/links/?account=globex.io").json()["results"]
    assert {
        row["email"]: (
            row["shared"],
            row["shared_devices"],
            row["shared_networks"],
            row["shared_first_click_at"],
            row["shared_last_click_at"],
        )
        for row in rows
    } == {
        "a@globex.io": (True, 2, 2, iso(ago(2 * DAY)), iso(ago(DAY - 2 * MINUTE))),
        "b@globex.io": (False, 2, 2, iso(ago(6 * HOUR)), iso(ago(6 * HOUR - 10 * MINUTE))),
    }
