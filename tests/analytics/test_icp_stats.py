"""GET /api/icp-stats: human clicks per ICP, the pie chart."""

import pytest

pytestmark = pytest.mark.django_db


def icp_stats(api, query=""):
    response = api.get(f"/api/icp-stats{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_counts_every_human_click_per_icp_with_no_parameters(api, world):
    """All time, every campaign: ICPs that clicked, most clicks first, ties by name, NULL as Non défini."""
    assert icp_stats(api) == [
        {"icp": "CEO", "click_count": 3},
        {"icp": "Commercial Senior", "click_count": 3},
        {"icp": "CTO", "click_count": 2},
        {"icp": "Manager Commercial", "click_count": 2},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_it_counts_the_clicks_of_the_last_7_days_including_the_one_on_the_boundary(api, world):
    """range=7d counts clicks at or after now - 7 days (Bruno's click is exactly on it)."""
    assert icp_stats(api, "?range=7d") == [
        {"icp": "Commercial Senior", "click_count": 3},
        {"icp": "CEO", "click_count": 1},
        {"icp": "CTO", "click_count": 1},
        {"icp": "Manager Commercial", "click_count": 1},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_it_counts_the_last_24_hours(api, world):
    """range=24h keeps the clicks of the last day only."""
    assert icp_stats(api, "?range=24h") == [
        {"icp": "CTO", "click_count": 1},
        {"icp": "Commercial Senior", "click_count": 1},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_it_keeps_one_campaign(api, world):
    """campaign=wesser-recrutement.fr counts that campaign's clicks only."""
    assert icp_stats(api, "?campaign=wesser-recrutement.fr") == [
        {"icp": "Commercial Senior", "click_count": 3},
        {"icp": "Manager Commercial", "click_count": 2},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_it_combines_range_and_campaign(api, world):
    """range=30d&campaign=wesser-recrutement.fr drops Bruno's click of 34 days ago."""
    assert icp_stats(api, "?range=30d&campaign=wesser-recrutement.fr") == [
        {"icp": "Commercial Senior", "click_count": 3},
        {"icp": "Manager Commercial", "click_count": 1},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_it_counts_machine_clicks_only_when_asked(api, world):
    """include_bots=true adds the scanner, preview and bot clicks."""
    assert icp_stats(api, "?include_bots=true") == [
        {"icp": "CEO", "click_count": 6},
        {"icp": "Commercial Senior", "click_count": 4},
        {"icp": "CTO", "click_count": 2},
        {"icp": "Manager Commercial", "click_count": 2},
        {"icp": "Non défini", "click_count": 1},
    ]


def test_an_unknown_campaign_gives_an_empty_list(api, world):
    """An unknown campaign name is not an error: nothing clicked."""
    assert icp_stats(api, "?campaign=nobody.example") == []


def test_it_answers_with_and_without_the_trailing_slash_without_redirecting(api, world):
    """The documented URL has no slash; /api/icp-stats/ answers the same, no redirect either way."""
    without_slash = api.get("/api/icp-stats?range=7d")
    with_slash = api.get("/api/icp-stats/?range=7d")
    assert (without_slash.status_code, with_slash.status_code) == (200, 200)
    assert without_slash.json() == with_slash.json()


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/icp-stats?range=1y")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """The figures are for the logged-in operator or a token holder."""
    response = anonymous_api.get("/api/icp-stats")
    assert response.status_code == 401


def test_a_logged_in_operator_reads_it_with_the_session(client, operator, world):
    """The dashboard calls it with the operator's session cookie."""
    client.force_login(operator)
    response = client.get("/api/icp-stats?campaign=aura.camp")
    assert response.status_code == 200
    assert response.json() == [{"icp": "CEO", "click_count": 3}, {"icp": "CTO", "click_count": 2}]


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One aggregation, however many clicks there are."""
    # 1. the token and its user
    # 2. the clicks grouped by ICP
    with django_assert_num_queries(2):
        api.get("/api/icp-stats")
