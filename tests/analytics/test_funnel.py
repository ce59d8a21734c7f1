"""GET /api/stats/funnel/: Sent -> Clicked / Not clicked -> Clicked once / Clicked 2+ times."""

import pytest

pytestmark = pytest.mark.django_db


def sankey(sent, clicked, once, again):
    return {
        "nodes": [
            {"name": "Sent", "value": sent},
            {"name": "Clicked", "value": clicked},
            {"name": "Not clicked", "value": sent - clicked},
            {"name": "Clicked once", "value": once},
            {"name": "Clicked 2+ times", "value": again},
        ],
        "links": [
            {"source": "Sent", "target": "Clicked", "value": clicked},
            {"source": "Sent", "target": "Not clicked", "value": sent - clicked},
            {"source": "Clicked", "target": "Clicked once", "value": once},
            {"source": "Clicked", "target": "Clicked 2+ times", "value": again},
        ],
    }


def funnel(api, query=""):
    response = api.get(f"/api/stats/funnel/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_splits_the_links_sent_by_how_often_they_were_clicked(api, world):
    """All time: 7 sent, 5 clicked (Chloé once; Alice, Bruno, Denis, Emma 2+), Farid and Gaëlle not."""
    assert funnel(api) == sankey(sent=7, clicked=5, once=1, again=4)


def test_it_follows_the_links_created_in_range_with_all_their_clicks(api, world):
    """range=7d: Alice (3), Chloé (1), Farid (scanner only) and Gaëlle (none)."""
    assert funnel(api, "?range=7d") == sankey(sent=4, clicked=2, once=1, again=1)


def test_it_keeps_one_campaign(api, world):
    """campaign=aura.camp: Denis (3), Emma (2), Farid (scanner only)."""
    assert funnel(api, "?campaign=aura.camp") == sankey(sent=3, clicked=2, once=0, again=2)


def test_machine_clicks_count_only_when_asked(api, world):
    """include_bots=true: Farid's scanner and preview make him a 2+ clicker."""
    assert funnel(api, "?include_bots=true") == sankey(sent=7, clicked=6, once=1, again=5)


def test_an_unknown_campaign_gives_zeros(api, world):
    """Nothing sent."""
    assert funnel(api, "?campaign=nobody.example") == sankey(sent=0, clicked=0, once=0, again=0)


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/funnel/?range=")
    assert response.status_code == 200
    response = api.get("/api/stats/funnel/?range=90d")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no funnel."""
    assert anonymous_api.get("/api/stats/funnel/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One aggregation over the cohort."""
    # 1. the token and its user
    # 2. the cohort's links counted by how often they were clicked
    with django_assert_num_queries(2):
        api.get("/api/stats/funnel/")
