"""GET /api/stats/icp-metrics/: the "Métriques à suivre" table, per ICP."""

import pytest

pytestmark = pytest.mark.django_db


def icp_metrics(api, query=""):
    response = api.get(f"/api/stats/icp-metrics/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def row(icp, links_sent, unique_clickers, click_rate, avg_clicks_per_clicker, avg_time_to_first_click):
    return {
        "icp": icp,
        "links_sent": links_sent,
        "unique_clickers": unique_clickers,
        "click_rate": click_rate,
        "avg_clicks_per_clicker": avg_clicks_per_clicker,
        "avg_time_to_first_click": avg_time_to_first_click,
    }


def test_it_gives_each_icps_metrics_most_links_sent_first_then_by_name(api, world):
    """All time: every ICP that was sent a link, NULL as Non défini, even ICPs nobody clicked in."""
    assert icp_metrics(api) == [
        row("CEO", 2, 1, 50.0, 3.0, 86400.0),
        row("CTO", 2, 1, 50.0, 2.0, 1800.0),
        row("Commercial Senior", 1, 1, 100.0, 3.0, 3600.0),
        row("Manager Commercial", 1, 1, 100.0, 2.0, 86400.0),
        row("Non défini", 1, 1, 100.0, 1.0, 3600.0),
    ]


def test_it_takes_the_links_created_in_range(api, world):
    """range=7d: Farid (CEO, scanner only), Gaëlle (CTO, none), Alice, Chloé."""
    assert icp_metrics(api, "?range=7d") == [
        row("CEO", 1, 0, 0.0, None, None),
        row("CTO", 1, 0, 0.0, None, None),
        row("Commercial Senior", 1, 1, 100.0, 3.0, 3600.0),
        row("Non défini", 1, 1, 100.0, 1.0, 3600.0),
    ]


def test_it_keeps_one_campaign_and_counts_machine_clicks_when_asked(api, world):
    """campaign=aura.camp&include_bots=true: Farid's scanner click is his first, a minute in."""
    assert icp_metrics(api, "?campaign=aura.camp&include_bots=true") == [
        row("CEO", 2, 2, 100.0, 3.0, 43230.0),
        row("CTO", 1, 1, 100.0, 2.0, 1800.0),
    ]


def test_an_unknown_campaign_gives_an_empty_table(api, world):
    """Nothing sent, no rows."""
    assert icp_metrics(api, "?campaign=nobody.example") == []


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/icp-metrics/?range=7D")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no metrics."""
    assert anonymous_api.get("/api/stats/icp-metrics/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One aggregation grouped by ICP."""
    # 1. the token and its user
    # 2. the cohort's links grouped by ICP
    with django_assert_num_queries(2):
        api.get("/api/stats/icp-metrics/")
