"""GET /api/campaigns/: every campaign for the dashboard's drop-down."""

import pytest

from links.models import Campaign
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_it_lists_every_campaign_by_name_with_links_sent_and_human_clicks(api, world):
    """All-time human clicks; a campaign nobody clicked in still shows; not paginated."""
    make_campaign("zero-links.example")
    ids = dict(Campaign.objects.values_list("name", "id"))
    response = api.get("/api/campaigns/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": ids["aura.camp"], "name": "aura.camp", "links_sent": 3, "clicks": 5},
        {"id": ids["demo-saas.io"], "name": "demo-saas.io", "links_sent": 1, "clicks": 0},
        {"id": ids["wesser-recrutement.fr"], "name": "wesser-recrutement.fr", "links_sent": 3, "clicks": 6},
        {"id": ids["zero-links.example"], "name": "zero-links.example", "links_sent": 0, "clicks": 0},
    ]


def test_with_no_campaign_the_list_is_empty(api):
    """A fresh install has no campaign yet."""
    response = api.get("/api/campaigns/")
    assert (response.status_code, response.json()) == (200, [])


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no campaigns."""
    assert anonymous_api.get("/api/campaigns/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One GROUP BY campaign."""
    # 1. the token and its user
    # 2. the campaigns with their links and clicks counted
    with django_assert_num_queries(2):
        api.get("/api/campaigns/")
