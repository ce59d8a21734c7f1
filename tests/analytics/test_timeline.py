"""GET /api/stats/timeline/: human clicks per hour (24h) or per day, zero-filled."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.analytics.conftest import NOW
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


def timeline(api, query=""):
    response = api.get(f"/api/stats/timeline/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_last_24_hours_come_hour_by_hour_with_empty_hours_at_zero(api, world):
    """range=24h: every hour from 12:00 yesterday to 12:00 now; Emma at 00:00, Chloé 10:00, Alice 11:00."""
    clicks = {"2026-11-24T00:00:00Z": 1, "2026-11-24T10:00:00Z": 1, "2026-11-24T11:00:00Z": 1}
    hours = [NOW - timedelta(hours=24 - n) for n in range(25)]
    expected = [
        {"t": hour.strftime("%Y-%m-%dT%H:%M:%SZ"), "clicks": clicks.get(hour.strftime("%Y-%m-%dT%H:%M:%SZ"), 0)}
        for hour in hours
    ]
    assert timeline(api, "?range=24h") == {"bucket": "hour", "points": expected}


def test_the_last_7_days_come_day_by_day_with_empty_days_at_zero(api, world):
    """range=7d: from 17 Nov (Bruno, on the boundary) to today."""
    assert timeline(api, "?range=7d") == {
        "bucket": "day",
        "points": [
            {"t": "2026-11-17T00:00:00Z", "clicks": 1},
            {"t": "2026-11-18T00:00:00Z", "clicks": 1},
            {"t": "2026-11-19T00:00:00Z", "clicks": 0},
            {"t": "2026-11-20T00:00:00Z", "clicks": 0},
            {"t": "2026-11-21T00:00:00Z", "clicks": 0},
            {"t": "2026-11-22T00:00:00Z", "clicks": 2},
            {"t": "2026-11-23T00:00:00Z", "clicks": 0},
            {"t": "2026-11-24T00:00:00Z", "clicks": 3},
        ],
    }


def test_all_time_runs_from_the_first_clicks_day_to_today(api, world):
    """range=all: 16 Oct (Denis's first click) to 24 Nov, 40 days."""
    clicks = {
        date(2026, 10, 16): 1,
        date(2026, 10, 21): 1,
        date(2026, 10, 30): 1,
        date(2026, 11, 4): 1,
        date(2026, 11, 17): 1,
        date(2026, 11, 18): 1,
        date(2026, 11, 22): 2,
        date(2026, 11, 24): 3,
    }
    days = [date(2026, 10, 16) + timedelta(days=n) for n in range(40)]
    assert timeline(api) == {
        "bucket": "day",
        "points": [{"t": f"{day.isoformat()}T00:00:00Z", "clicks": clicks.get(day, 0)} for day in days],
    }


def test_all_time_with_no_click_has_no_point(api, world):
    """An unknown campaign: nothing to draw, not an error."""
    assert timeline(api, "?campaign=nobody.example") == {"bucket": "day", "points": []}


def test_days_are_the_configured_time_zones_days(api, settings, frozen_time):
    """In Paris, 23 Nov 23:30 UTC is already 24 Nov: the click counts on the 24th, Paris midnight."""
    settings.TIME_ZONE = "Europe/Paris"
    make_click(make_link(), datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
    points = timeline(api, "?range=7d")["points"]
    assert points[-2:] == [
        {"t": "2026-11-23T00:00:00+01:00", "clicks": 0},
        {"t": "2026-11-24T00:00:00+01:00", "clicks": 1},
    ]
    assert len(points) == 8


def test_half_hour_time_zones_get_their_own_midnight_and_hours(api, settings, frozen_time):
    """In Kolkata (UTC+5:30) 23 Nov 18:29 UTC is still the 23rd, 18:30 UTC is the 24th; by the
    hour, 10:20 and 10:40 UTC fall in the 15:00 and 16:00 local hours."""
    settings.TIME_ZONE = "Asia/Kolkata"
    link = make_link()
    make_click(link, datetime(2026, 11, 23, 18, 29, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 23, 18, 30, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 24, 10, 20, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 24, 10, 40, tzinfo=UTC))
    assert timeline(api, "?range=7d")["points"][-2:] == [
        {"t": "2026-11-23T00:00:00+05:30", "clicks": 1},
        {"t": "2026-11-24T00:00:00+05:30", "clicks": 3},
    ]
    assert timeline(api, "?range=24h")["points"][-3:] == [
        {"t": "2026-11-24T15:00:00+05:30", "clicks": 1},
        {"t": "2026-11-24T16:00:00+05:30", "clicks": 1},
        {"t": "2026-11-24T17:00:00+05:30", "clicks": 0},
    ]


def test_machine_clicks_count_only_when_asked(api, world):
    """range=24h&include_bots=true adds Denis's bot click to the 11:00 hour."""
    points = timeline(api, "?range=24h&include_bots=true")["points"]
    assert points[-2:] == [{"t": "2026-11-24T11:00:00Z", "clicks": 2}, {"t": "2026-11-24T12:00:00Z", "clicks": 0}]


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/timeline/?range=1h")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no timeline."""
    assert anonymous_api.get("/api/stats/timeline/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One GROUP BY bucket; the empty buckets are filled in without the database."""
    # 1. the token and its user
    # 2. the clicks grouped by day
    with django_assert_num_queries(2):
        api.get("/api/stats/timeline/")
