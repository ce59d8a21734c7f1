"""GET /api/stats/top-clickers/: the prospects with the most human clicks in range."""

import pytest

pytestmark = pytest.mark.django_db


def top_clickers(api, query=""):
    response = api.get(f"/api/stats/top-clickers/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def clicker(world, name, clicks, last_click):
    link = world[name]
    return {
        "link_id": link.id,
        "first_name": link.first_name,
        "last_name": link.last_name,
        "email": link.email,
        "icp": link.icp or "Non défini",
        "campaign": link.campaign.name,
        "clicks": clicks,
        "last_click": last_click,
    }


def test_it_ranks_prospects_by_clicks_then_latest_click(api, world):
    """All time: Alice and Denis have 3 clicks, Alice's last is more recent; Gaëlle and Farid never clicked."""
    assert top_clickers(api) == [
        clicker(world, "alice", 3, "2026-11-24T11:00:00Z"),
        clicker(world, "denis", 3, "2026-11-18T12:00:00Z"),
        clicker(world, "emma", 2, "2026-11-24T00:00:00Z"),
        clicker(world, "bruno", 2, "2026-11-17T12:00:00Z"),
        clicker(world, "chloe", 1, "2026-11-24T10:00:00Z"),
    ]


def test_it_counts_only_the_clicks_in_range(api, world):
    """range=7d: one click each for everyone but Alice, Bruno's on the boundary."""
    assert top_clickers(api, "?range=7d") == [
        clicker(world, "alice", 3, "2026-11-24T11:00:00Z"),
        clicker(world, "chloe", 1, "2026-11-24T10:00:00Z"),
        clicker(world, "emma", 1, "2026-11-24T00:00:00Z"),
        clicker(world, "denis", 1, "2026-11-18T12:00:00Z"),
        clicker(world, "bruno", 1, "2026-11-17T12:00:00Z"),
    ]


def test_limit_keeps_the_first_ones(api, world):
    """limit=2 gives the top two."""
    assert top_clickers(api, "?limit=2") == [
        clicker(world, "alice", 3, "2026-11-24T11:00:00Z"),
        clicker(world, "denis", 3, "2026-11-18T12:00:00Z"),
    ]


def test_it_keeps_one_campaign_and_shows_non_defini_for_no_icp(api, world):
    """campaign=wesser-recrutement.fr&range=24h: Alice then Chloé (no ICP)."""
    assert top_clickers(api, "?campaign=wesser-recrutement.fr&range=24h") == [
        clicker(world, "alice", 1, "2026-11-24T11:00:00Z"),
        clicker(world, "chloe", 1, "2026-11-24T10:00:00Z"),
    ]


def test_machine_clicks_count_only_when_asked(api, world):
    """include_bots=true: Denis's bot click makes his the latest of the two 4-click prospects."""
    assert top_clickers(api, "?include_bots=true&limit=3") == [
        clicker(world, "denis", 4, "2026-11-24T11:30:00Z"),
        clicker(world, "alice", 4, "2026-11-24T11:00:00Z"),
        clicker(world, "emma", 2, "2026-11-24T00:00:00Z"),
    ]


@pytest.mark.parametrize("limit", ["0", "101", "ten", "2.5", "-1"])
def test_a_limit_outside_1_to_100_is_a_400(api, world, limit):
    """limit must be a whole number from 1 to 100."""
    response = api.get(f"/api/stats/top-clickers/?limit={limit}")
    assert response.status_code == 400
    assert response.json() == {"limit": ["Enter a whole number from 1 to 100."]}


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/top-clickers/?range=yesterday")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_an_unknown_campaign_gives_an_empty_list(api, world):
    """Nobody clicked in a campaign that does not exist."""
    assert top_clickers(api, "?campaign=nobody.example") == []


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no prospects."""
    assert anonymous_api.get("/api/stats/top-clickers/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One GROUP BY link."""
    # 1. the token and its user
    # 2. the links with their clicks in range, counted
    with django_assert_num_queries(2):
        api.get("/api/stats/top-clickers/")
