"""GET /api/stats/cities/: the cities prospects click from (activity), with the operator's city
database (GEOIP_MMDB_PATH); an empty list without it. Clicks go through the real click writer, which
looks their full address up in a real MaxMind-format file (tests/city_database.py)."""

import pytest
from django.utils import timezone

from tests.analytics.conftest import DAY, HOUR, MINUTE, ago
from tests.city_database import (
    BERLIN_ADDRESS,
    COUNTRY_ONLY_ADDRESS,
    LYON_ADDRESS,
    PARIS_ADDRESS,
    city,
    write_city_database,
)
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


def cities(api, query=""):
    response = api.get(f"/api/stats/cities/{query}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def city_database(tmp_path, settings):
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)


@pytest.fixture
def city_world(city_database, frozen_time):
    """Campaign outbound-q4 (created -3d) and one click on demo-saas.io:

    | prospect     | clicks (address)                                                      |
    | ceo@acme.com | -2d, -1d, -2h (Paris); -20h (Berlin)                                  |
    | cto@acme.com | -30h (Berlin); -10h (Lyon, IPv6); -5h (US network, no city); -4h (no |
    |              | address); scanner -3d+1min (Berlin)                                   |
    | demo@saas.io | -1h (Lyon), campaign demo-saas.io                                     |
    """

    def link(email, campaign="outbound-q4"):
        return make_link(email=email, campaign=campaign, created_at=ago(3 * DAY))

    ceo, cto, demo = link("ceo@acme.com"), link("cto@acme.com"), link("demo@saas.io", "demo-saas.io")
    for when in (2 * DAY, DAY, 2 * HOUR):
        make_click(ceo, ago(when), ip=PARIS_ADDRESS)
    make_click(ceo, ago(20 * HOUR), ip=BERLIN_ADDRESS)
    make_click(cto, ago(30 * HOUR), ip=BERLIN_ADDRESS)
    make_click(cto, ago(10 * HOUR), ip=LYON_ADDRESS)
    make_click(cto, ago(5 * HOUR), ip=COUNTRY_ONLY_ADDRESS)
    make_click(cto, ago(4 * HOUR), ip=None)
    make_click(cto, ago(3 * DAY - MINUTE), verdict="scanner", reason="seconds after creation", ip=BERLIN_ADDRESS)
    make_click(demo, ago(HOUR), ip=LYON_ADDRESS)


def test_human_clicks_are_counted_by_city_most_first(api, city_world):
    """Clicks without a city (a network known by its country only, no address) are left out."""
    assert cities(api) == [
        {"country": "FR", "city": "Paris", "clicks": 3},
        {"country": "DE", "city": "Berlin", "clicks": 2},
        {"country": "FR", "city": "Lyon", "clicks": 2},
    ]


def test_scanner_clicks_show_their_city_only_when_asked(api, city_world):
    assert cities(api, "?include_bots=true")[:2] == [
        {"country": "DE", "city": "Berlin", "clicks": 3},
        {"country": "FR", "city": "Paris", "clicks": 3},
    ]


def test_cities_follow_the_range_and_the_campaign(api, city_world):
    """range=24h: Paris -1d (on the boundary) and -2h, Lyon -10h and -1h, Berlin -20h; outbound-q4
    leaves out the Lyon click at -1h."""
    assert cities(api, "?range=24h") == [
        {"country": "FR", "city": "Lyon", "clicks": 2},
        {"country": "FR", "city": "Paris", "clicks": 2},
        {"country": "DE", "city": "Berlin", "clicks": 1},
    ]
    assert cities(api, "?range=24h&campaign=outbound-q4") == [
        {"country": "FR", "city": "Paris", "clicks": 2},
        {"country": "DE", "city": "Berlin", "clicks": 1},
        {"country": "FR", "city": "Lyon", "clicks": 1},
    ]
    assert cities(api, "?campaign=nope") == []


def test_without_a_city_database_the_list_is_empty(api, settings, frozen_time):
    """Clicks stored with their country only, as before the operator provides a city database."""
    settings.GEOIP_MMDB_PATH = ""
    make_click(make_link(), ago(HOUR), ip=PARIS_ADDRESS)
    assert cities(api) == []


def test_the_twenty_cities_with_most_clicks_ties_by_name(api, settings, tmp_path):
    """22 cities: City 21 has two clicks, the others one each; the 19 ties kept are the first by name."""
    networks = {f"90.84.{number}.0/24": city(f"City {number:02}", "FR") for number in range(22)}
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path, networks)
    link = make_link()
    for number in (*range(22), 21):
        make_click(link, timezone.now(), ip=f"90.84.{number}.17")
    rows = cities(api)
    assert [row["city"] for row in rows] == ["City 21", *(f"City {number:02}" for number in range(19))]
    assert rows[0] == {"country": "FR", "city": "City 21", "clicks": 2}


def test_cities_are_one_aggregation(api, city_world, django_assert_num_queries):
    """The auth token, whether any click has a city (one index probe), then one GROUP BY."""
    with django_assert_num_queries(3):
        cities(api)


def test_all_time_cities_sum_the_links_rows_and_a_period_counts_its_clicks(city_world, django_assert_num_queries):
    """Over all time the figure reads each link's rows per country and city (tracker.facets), whose
    number follows the links; a period reads its clicks."""
    from analytics.queries import clicks_by_city
    from links.periods import Period

    with django_assert_num_queries(2) as queries:
        clicks_by_city(campaign="outbound-q4")
    all_time = queries.captured_queries[1]["sql"]
    assert "tracker_linkcountrycount" in all_time and "tracker_click" not in all_time
    with django_assert_num_queries(2) as queries:
        clicks_by_city(Period.LAST_24_HOURS, campaign="outbound-q4")
    assert "tracker_click" in queries.captured_queries[1]["sql"]


def test_the_route_answers_with_and_without_its_trailing_slash(api, city_world):
    assert api.get("/api/stats/cities").json() == api.get("/api/stats/cities/").json()


def test_the_schema_describes_the_cities(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    response = schema["paths"]["/api/stats/cities/"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/CityClicks"},
    }
    assert set(schema["components"]["schemas"]["CityClicks"]["required"]) == {"country", "city", "clicks"}


def test_without_a_city_database_a_campaign_s_cities_read_no_click(frozen_time, django_assert_num_queries):
    """No click has a city: the figure is empty after one look at the links' rows with a city (an
    empty index), rather than a read of every click of the campaign's links."""
    from analytics.queries import clicks_by_city

    link = make_link(email="ceo@acme.com", campaign="outbound-q4", created_at=ago(3 * DAY))
    for when in (2 * DAY, DAY, HOUR):
        make_click(link, ago(when), ip=PARIS_ADDRESS)
    with django_assert_num_queries(1) as queries:
        assert clicks_by_city(campaign="outbound-q4") == []
    assert "city" in queries.captured_queries[0]["sql"]
