"""GET /api/stats/heatmap/: human clicks by weekday x hour in the configured time zone."""

from datetime import UTC, datetime

import pytest

from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONDAY, TUESDAY, WEDNESDAY, FRIDAY, SUNDAY = 0, 1, 2, 4, 6


def grid(counts):
    """All 168 cells, zero except `counts` {(weekday, hour): clicks}."""
    return [[day, hour, counts.get((day, hour), 0)] for day in range(7) for hour in range(24)]


def heatmap(api, query=""):
    response = api.get(f"/api/stats/heatmap/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_places_every_human_click_in_its_weekday_and_hour(api, world):
    """All time, UTC: 11 human clicks, three of them on Wednesdays at noon."""
    counts = {
        (TUESDAY, 0): 1,
        (TUESDAY, 10): 1,
        (TUESDAY, 11): 1,
        (TUESDAY, 12): 1,
        (WEDNESDAY, 12): 3,
        (FRIDAY, 12): 2,
        (SUNDAY, 13): 1,
        (SUNDAY, 15): 1,
    }
    assert heatmap(api) == {"days": DAYS, "hours": list(range(24)), "cells": grid(counts), "max": 3}


def test_it_counts_the_clicks_in_range_of_one_campaign(api, world):
    """range=7d&campaign=aura.camp: Denis on Wednesday noon, Emma on Tuesday midnight."""
    assert heatmap(api, "?range=7d&campaign=aura.camp")["cells"] == grid({(WEDNESDAY, 12): 1, (TUESDAY, 0): 1})


def test_machine_clicks_count_only_when_asked(api, world):
    """range=24h&include_bots=true adds Denis's bot click at 11:30."""
    assert heatmap(api, "?range=24h&include_bots=true")["cells"] == grid(
        {(TUESDAY, 0): 1, (TUESDAY, 10): 1, (TUESDAY, 11): 2}
    )


def test_it_uses_the_configured_time_zone(api, settings):
    """Sunday 23:30 UTC is Monday 00:30 in Paris: the click lands on Monday, hour 0."""
    settings.TIME_ZONE = "Europe/Paris"
    make_click(make_link(), datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert heatmap(api) == {"days": DAYS, "hours": list(range(24)), "cells": grid({(MONDAY, 0): 1}), "max": 1}


def test_with_no_click_every_cell_is_zero(api, world):
    """An unknown campaign gives the empty grid, not an error."""
    assert heatmap(api, "?campaign=nobody.example") == {
        "days": DAYS,
        "hours": list(range(24)),
        "cells": grid({}),
        "max": 0,
    }


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/heatmap/?range=all-time")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no heatmap."""
    assert anonymous_api.get("/api/stats/heatmap/").status_code == 401


def test_it_takes_two_queries_whatever_the_data(api, world, django_assert_num_queries):
    """One GROUP BY weekday, hour."""
    # 1. the token and its user
    # 2. the clicks grouped by weekday and hour
    with django_assert_num_queries(2):
        api.get("/api/stats/heatmap/")


def test_half_hour_time_zones_split_an_utc_hour_between_two_local_hours(api, settings):
    """Asia/Kolkata is UTC+5:30: 18:10 UTC Sunday is 23:40 Sunday, 18:40 UTC is 00:10 Monday."""
    settings.TIME_ZONE = "Asia/Kolkata"
    link = make_link()
    make_click(link, datetime(2026, 11, 22, 18, 10, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 22, 18, 29, 59, 999999, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 22, 18, 30, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 22, 18, 40, tzinfo=UTC))
    assert heatmap(api)["cells"] == grid({(SUNDAY, 23): 2, (MONDAY, 0): 2})


def test_quarter_hour_time_zones_are_exact_too(api, settings):
    """Asia/Kathmandu is UTC+5:45: 06:14 UTC is 11:59 local, 06:15 UTC is 12:00 local."""
    settings.TIME_ZONE = "Asia/Kathmandu"
    link = make_link()
    make_click(link, datetime(2026, 11, 25, 6, 14, 59, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 25, 6, 15, tzinfo=UTC))
    assert heatmap(api)["cells"] == grid({(WEDNESDAY, 11): 1, (WEDNESDAY, 12): 1})
