"""GET /api/stats/overview/: the dashboard's key figures (cohort and activity)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from tests.analytics.conftest import HOUR, MINUTE, ago
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

# The worker's last pass over the world's clicks ran at NOW (make_click derives, time frozen).
WORLD_DERIVED_AT = "2026-11-24T12:00:00Z"


def overview(api, query=""):
    response = api.get(f"/api/stats/overview/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_gives_every_figure_for_all_time(api, world):
    """Cohort: 7 links, 5 clicked, 11 clicks; times to first click 1800, 3600, 3600, 86400, 86400 s."""
    assert overview(api) == {
        "links_sent": 7,
        "links_clicked": 5,
        "click_rate": 71.4,
        "total_clicks": 11,
        "unique_clickers": 5,
        "avg_clicks_per_clicker": 2.2,
        "median_time_to_first_click": 3600.0,
        "avg_time_to_first_click": 36360.0,
        "bot_clicks_filtered": 4,
        "filtered_by_verdict": {"scanner": 2, "preview": 1, "prefetch": 0, "bot": 1, "internal": 0},
        "data_as_of": WORLD_DERIVED_AT,
        "shared_links": 0,
        "previous": None,
    }


def test_cohort_figures_take_links_created_in_range_and_activity_figures_clicks_in_range(api, world):
    """range=30d: the cohort is Alice, Chloé, Emma, Farid, Gaëlle; the activity, clicks since -30d."""
    assert overview(api, "?range=30d") == {
        "links_sent": 5,
        "links_clicked": 3,
        "click_rate": 60.0,
        "total_clicks": 9,
        "unique_clickers": 5,
        "avg_clicks_per_clicker": 2.0,
        "median_time_to_first_click": 3600.0,
        "avg_time_to_first_click": 3000.0,
        "bot_clicks_filtered": 4,
        "filtered_by_verdict": {"scanner": 2, "preview": 1, "prefetch": 0, "bot": 1, "internal": 0},
        "data_as_of": WORLD_DERIVED_AT,
        "shared_links": 0,
        "previous": {
            "links_sent": 2,
            "links_clicked": 2,
            "click_rate": 100.0,
            "total_clicks": 2,
            "unique_clickers": 2,
            "avg_clicks_per_clicker": 2.5,
            "median_time_to_first_click": 86400.0,
            "avg_time_to_first_click": 86400.0,
        },
    }


def test_it_keeps_one_campaign(api, world):
    """campaign=wesser-recrutement.fr: Alice, Bruno and Chloé only."""
    assert overview(api, "?campaign=wesser-recrutement.fr") == {
        "links_sent": 3,
        "links_clicked": 3,
        "click_rate": 100.0,
        "total_clicks": 6,
        "unique_clickers": 3,
        "avg_clicks_per_clicker": 2.0,
        "median_time_to_first_click": 3600.0,
        "avg_time_to_first_click": 31200.0,
        "bot_clicks_filtered": 1,
        "filtered_by_verdict": {"scanner": 1, "preview": 0, "prefetch": 0, "bot": 0, "internal": 0},
        "data_as_of": WORLD_DERIVED_AT,
        "shared_links": 0,
        "previous": None,
    }


def test_machine_clicks_count_only_when_asked(api, world):
    """include_bots=true: Farid counts as clicked, scanners become first clicks, nothing is filtered."""
    assert overview(api, "?include_bots=true") == {
        "links_sent": 7,
        "links_clicked": 6,
        "click_rate": 85.7,
        "total_clicks": 15,
        "unique_clickers": 6,
        "avg_clicks_per_clicker": 2.5,
        # 60, 60, 1800, 3600, 86400, 86400: an even count averages the two middle times.
        "median_time_to_first_click": 2700.0,
        "avg_time_to_first_click": 29720.0,
        "bot_clicks_filtered": 0,
        "filtered_by_verdict": {"scanner": 0, "preview": 0, "prefetch": 0, "bot": 0, "internal": 0},
        "data_as_of": WORLD_DERIVED_AT,
        "shared_links": 0,
        "previous": None,
    }


def test_an_unknown_campaign_gives_zeros(api, world):
    """Nothing sent, nothing clicked, nothing to measure."""
    assert overview(api, "?campaign=nobody.example") == {
        "links_sent": 0,
        "links_clicked": 0,
        "click_rate": 0.0,
        "total_clicks": 0,
        "unique_clickers": 0,
        "avg_clicks_per_clicker": None,
        "median_time_to_first_click": None,
        "avg_time_to_first_click": None,
        "bot_clicks_filtered": 0,
        "filtered_by_verdict": {"scanner": 0, "preview": 0, "prefetch": 0, "bot": 0, "internal": 0},
        "data_as_of": WORLD_DERIVED_AT,
        "shared_links": 0,
        "previous": None,
    }


@pytest.mark.parametrize(
    ("minutes_to_first_click", "median"),
    [
        ([10], 600.0),
        ([40, 10], 1500.0),
        ([10, 20, 90], 1200.0),
        ([10, 20, 30, 70], 1500.0),
        ([5, 5, 5, 200, 300], 300.0),
    ],
)
def test_the_median_is_the_middle_time_or_the_mean_of_the_two_middle_times(
    api, frozen_time, minutes_to_first_click, median
):
    """Odd counts take the middle time to first click, even counts the mean of the two middle ones."""
    for number, minutes in enumerate(minutes_to_first_click):
        link = make_link(email=f"prospect{number}@example.com", created_at=ago(10 * HOUR))
        make_click(link, ago(10 * HOUR - minutes * MINUTE))
        make_click(link, ago(HOUR))
    assert overview(api)["median_time_to_first_click"] == median


def test_time_to_first_click_runs_from_sent_at_when_clay_gave_it(api, frozen_time):
    """A link created before it went out is timed from its sent_at."""
    link = make_link(created_at=ago(10 * HOUR), sent_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    make_click(link, datetime(2026, 11, 24, 8, 15, tzinfo=UTC))
    figures = overview(api)
    assert (figures["median_time_to_first_click"], figures["avg_time_to_first_click"]) == (900.0, 900.0)


def test_a_bad_range_is_a_400_naming_the_allowed_values(api, world):
    """range outside 24h, 7d, 30d, all answers 400 with the allowed values."""
    response = api.get("/api/stats/overview/?range=week")
    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_anonymous_callers_get_a_401(anonymous_api, world):
    """No session, no token: no figures."""
    assert anonymous_api.get("/api/stats/overview/").status_code == 401


def test_all_time_reads_the_links_once_whatever_the_data(api, world, django_assert_num_queries):
    """The cohort and the links clicked in all time are the same links: one pass gives both (and the
    median on PostgreSQL), however many links and clicks there are."""
    # 1. the token and its user
    # 2. the links' click counters summed: links sent and clicked, clicks, average time to first
    #    click (and on PostgreSQL the median); total clicks and unique clickers are the same sums
    # 3. SQLite only: the cohort's median time to first click
    # 4. the machine clicks by verdict (a few percent of the clicks, by the verdict index)
    # 5. data_as_of: when the worker last caught up (one row)
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        api.get("/api/stats/overview/")


def test_a_period_counts_its_clicks_and_the_previous_period(api, world, django_assert_num_queries):
    """With a range the clicks in it are counted instead of the counters, and the previous period
    of the same length adds its own aggregations."""
    # 1. token, 2. cohort (with its median on PostgreSQL), 3. SQLite only: its median, 4. the
    # clicks in range (total, unique clickers), 5. machine clicks by verdict, 6. data_as_of,
    # 7. the previous period's cohort, 8. SQLite only: its median, 9. its clicks
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 9):
        api.get("/api/stats/overview/?range=7d")


def test_data_as_of_says_when_the_worker_last_caught_up(api, world):
    """Counters are derived by the worker: the overview names the moment they were complete, and a
    click the worker has not derived yet is not counted until its next pass."""
    from tracker.derivation import derive_click_figures
    from tracker.recording import click_facts, record_click

    with time_machine.travel(ago(-MINUTE), tick=False):
        facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=ago(-MINUTE))
        record_click(world["gaelle"].pk, facts, known_verdict=("human", ""))
        before = overview(api)
        derive_click_figures()
        after = overview(api)

    assert (before["links_clicked"], before["data_as_of"]) == (5, WORLD_DERIVED_AT)
    assert (after["links_clicked"], after["data_as_of"]) == (6, "2026-11-24T12:01:00Z")


def test_the_previous_24_hours_are_the_day_before(api, world):
    """range=24h: Alice was sent exactly 48 h ago (the previous day includes its first instant) and
    clicked twice that day (her scanner click left out); Gaëlle, sent exactly 24 h ago, is today's."""
    assert overview(api, "?range=24h")["previous"] == {
        "links_sent": 1,
        "links_clicked": 1,
        "click_rate": 100.0,
        "total_clicks": 2,
        "unique_clickers": 1,
        "avg_clicks_per_clicker": 3.0,
        "median_time_to_first_click": 3600.0,
        "avg_time_to_first_click": 3600.0,
    }


def test_a_quiet_previous_week_is_zeros_not_null(api, world):
    """range=7d: nothing was sent or clicked in the 7 days before (Bruno's click at exactly -7d is this week's)."""
    assert overview(api, "?range=7d")["previous"] == {
        "links_sent": 0,
        "links_clicked": 0,
        "click_rate": 0.0,
        "total_clicks": 0,
        "unique_clickers": 0,
        "avg_clicks_per_clicker": None,
        "median_time_to_first_click": None,
        "avg_time_to_first_click": None,
    }


def test_the_previous_period_keeps_the_campaign_and_the_bots_filter(api, world):
    """range=30d, campaign=aura.camp, include_bots: Denis alone was sent in the 30 days before, with his
    4 clicks (bot included); his click at -39d is the only one made then."""
    previous = overview(api, "?range=30d&campaign=aura.camp&include_bots=true")["previous"]
    assert (previous["links_sent"], previous["avg_clicks_per_clicker"], previous["total_clicks"]) == (1, 4.0, 1)


def test_forwarded_links_are_counted_in_the_cohort(api, accounts_world):
    """a@globex.io looks forwarded; it was sent 3 days ago, so range=24h does not count it."""
    assert overview(api)["shared_links"] == 1
    assert overview(api, "?range=24h")["shared_links"] == 0
