"""GET /api/stats/countries/ and /api/stats/devices/: where and on what prospects click (activity)."""

import pytest

pytestmark = pytest.mark.django_db


def figure(api, path, query=""):
    response = api.get(f"/api/stats/{path}/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_human_clicks_are_counted_by_the_country_of_their_address(api, accounts_world):
    """11 human clicks: 7 from the Paris network (FR), 3 from Berlin (DE), 1 without address."""
    assert figure(api, "countries") == [
        {"country": "FR", "clicks": 7},
        {"country": "DE", "clicks": 3},
        {"country": "", "clicks": 1},
    ]


def test_scanner_clicks_show_their_country_only_when_asked(api, accounts_world):
    """include_bots=true adds the two scanner clicks from a US network."""
    assert figure(api, "countries", "?include_bots=true") == [
        {"country": "FR", "clicks": 7},
        {"country": "DE", "clicks": 3},
        {"country": "US", "clicks": 2},
        {"country": "", "clicks": 1},
    ]


def test_countries_follow_the_range(api, accounts_world):
    """range=24h: FR at -24h (ceo@, a@), -24h+2min, -10h, -6h+10min; DE at -20h, -6h; unknown -5h."""
    assert figure(api, "countries", "?range=24h") == [
        {"country": "FR", "clicks": 5},
        {"country": "DE", "clicks": 2},
        {"country": "", "clicks": 1},
    ]


def test_human_clicks_are_counted_by_device_type_os_and_browser(api, accounts_world):
    """5 iPhone, 1 iPad, 4 Windows Chrome, 1 Mac Firefox."""
    assert figure(api, "devices") == {
        "device_types": [
            {"name": "desktop", "clicks": 5},
            {"name": "mobile", "clicks": 5},
            {"name": "tablet", "clicks": 1},
        ],
        "os": [
            {"name": "iOS", "clicks": 6},
            {"name": "Windows", "clicks": 4},
            {"name": "Mac OS X", "clicks": 1},
        ],
        "browsers": [
            {"name": "Mobile Safari", "clicks": 6},
            {"name": "Chrome", "clicks": 4},
            {"name": "Firefox", "clicks": 1},
        ],
    }


def test_scanners_without_user_agent_are_other_devices(api, accounts_world):
    """include_bots=true: the two scanner clicks had no user agent: device "other", OS and browser unknown."""
    devices = figure(api, "devices", "?include_bots=true")
    assert devices["device_types"] == [
        {"name": "desktop", "clicks": 5},
        {"name": "mobile", "clicks": 5},
        {"name": "other", "clicks": 2},
        {"name": "tablet", "clicks": 1},
    ]
    assert {"name": "", "clicks": 2} in devices["os"]
    assert {"name": "", "clicks": 2} in devices["browsers"]


def test_an_unknown_campaign_has_no_country_and_no_device(api, accounts_world):
    assert figure(api, "countries", "?campaign=nope") == []
    assert figure(api, "devices", "?campaign=nope") == {"device_types": [], "os": [], "browsers": []}


def test_countries_and_devices_are_one_aggregation_each(api, accounts_world, django_assert_num_queries):
    """The auth token, then one GROUP BY."""
    with django_assert_num_queries(2):
        figure(api, "countries")
    with django_assert_num_queries(2):
        figure(api, "devices")
