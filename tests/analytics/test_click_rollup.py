"""The all-time heatmap and timeline read closed quarter hours from their rollup (tracker.rollup):
rolled-up quarters plus the raw clicks after the watermark always give the exact count of the clicks.

Time is frozen on Tuesday 24 Nov 2026 at 12:00 UTC: the watermark is then 11:45 (the last quarter
boundary at least 5 minutes old).
"""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from tests.factories import make_click, make_link
from tracker.models import Click, ClickQuarterCount
from tracker.rollup import EPOCH, advance_rollup, rebuild_rollup, rolled_up_until

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TUESDAY, SUNDAY, MONDAY = 1, 6, 0


def at(hour, minute, second=0, microsecond=0, day=24):
    return datetime(2026, 11, day, hour, minute, second, microsecond, tzinfo=UTC)


def heatmap_cells(api, query=""):
    """{(weekday, hour): clicks} for the non-zero cells."""
    response = api.get(f"/api/stats/heatmap/{query}")
    assert response.status_code == 200, response.content
    return {(day, hour): clicks for day, hour, clicks in response.json()["cells"] if clicks}


def timeline_days(api, query=""):
    """{date: clicks} for the days with clicks."""
    response = api.get(f"/api/stats/timeline/{query}")
    assert response.status_code == 200, response.content
    return {point["t"][:10]: point["clicks"] for point in response.json()["points"] if point["clicks"]}


def rollup_rows():
    """{(UTC quarter start "HH:MM", verdict): clicks} of the rollup."""
    return {
        (row.quarter_start.astimezone(UTC).strftime("%d %H:%M"), row.verdict): row.clicks
        for row in ClickQuarterCount.objects.all()
    }


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def link(db):
    return make_link()


def test_rolled_up_quarters_plus_the_raw_clicks_after_the_watermark_count_every_click(api, frozen, link):
    """11:20 is rolled up at 12:00 (watermark 11:45); 11:50 and 11:58 are read raw, then rolled up at 12:20."""
    for moment in (at(11, 20), at(11, 50), at(11, 58)):
        make_click(link, moment)

    assert heatmap_cells(api) == {(TUESDAY, 11): 3}
    assert rolled_up_until() == at(11, 45)
    assert rollup_rows() == {("24 11:15", "human"): 1}

    frozen.move_to(at(12, 20))
    assert heatmap_cells(api) == {(TUESDAY, 11): 3}
    assert timeline_days(api) == {"2026-11-24": 3}
    assert rolled_up_until() == at(12, 15)
    assert rollup_rows() == {("24 11:15", "human"): 1, ("24 11:45", "human"): 2}


def test_the_redirects_click_after_the_watermark_leaves_the_rollup_alone(api, frozen, link):
    """A click at now is after the watermark: no rollup row, counted raw."""
    advance_rollup()
    make_click(link)
    assert rollup_rows() == {}
    assert heatmap_cells(api) == {(TUESDAY, 12): 1}


def test_a_click_inserted_late_before_the_watermark_is_counted(api, frozen, link):
    """A bulk load's click at 09:05, after the rollup reached 11:45, adds one to its quarter."""
    make_click(link, at(9, 10))
    advance_rollup()
    make_click(link, at(9, 5))
    assert rollup_rows() == {("24 09:00", "human"): 2}
    assert heatmap_cells(api) == {(TUESDAY, 9): 2}


def test_a_deleted_click_before_the_watermark_is_taken_away(api, frozen, link):
    """Deleting one of two rolled-up clicks at 09:05 and 09:10 leaves one; deleting the link leaves none."""
    first = make_click(link, at(9, 5))
    make_click(link, at(9, 10))
    advance_rollup()
    first.delete()
    assert heatmap_cells(api) == {(TUESDAY, 9): 1}
    link.delete()
    assert rollup_rows() == {("24 09:00", "human"): 0}
    assert heatmap_cells(api) == {}
    assert timeline_days(api) == {}


def test_a_reclassified_click_before_the_watermark_moves_to_its_verdict(api, frozen, link):
    """A human click at 09:05 marked scanner leaves the human figures and stays in include_bots."""
    click = make_click(link, at(9, 5))
    advance_rollup()
    Click.objects.filter(pk=click.pk).update(verdict="scanner")
    assert rollup_rows() == {("24 09:00", "human"): 0, ("24 09:00", "scanner"): 1}
    assert heatmap_cells(api) == {}
    assert heatmap_cells(api, "?include_bots=true") == {(TUESDAY, 9): 1}


def test_a_click_moved_in_time_moves_between_quarters_and_across_the_watermark(api, frozen, link):
    """09:05 -> Sunday 10:40 (both rolled up), then -> 11:50 (after the watermark: raw, rollup emptied)."""
    click = make_click(link, at(9, 5))
    advance_rollup()
    Click.objects.filter(pk=click.pk).update(clicked_at=at(10, 40, day=22))
    assert rollup_rows() == {("24 09:00", "human"): 0, ("22 10:30", "human"): 1}
    assert heatmap_cells(api) == {(SUNDAY, 10): 1}
    Click.objects.filter(pk=click.pk).update(clicked_at=at(11, 50))
    assert rollup_rows() == {("24 09:00", "human"): 0, ("22 10:30", "human"): 0}
    assert heatmap_cells(api) == {(TUESDAY, 11): 1}
    assert timeline_days(api) == {"2026-11-24": 1}


def test_advancing_twice_counts_each_click_once(api, frozen, link):
    """A second advance at the same time finds nothing left to roll up."""
    make_click(link, at(9, 5))
    assert advance_rollup() == advance_rollup() == at(11, 45)
    assert rollup_rows() == {("24 09:00", "human"): 1}
    assert heatmap_cells(api) == {(TUESDAY, 9): 1}


def test_rebuilding_recounts_the_rollup_from_the_clicks(api, frozen, link):
    """A damaged rollup (rows lost) is recounted up to the watermark by rebuild_rollup()."""
    make_click(link, at(9, 5))
    make_click(link, at(9, 20), verdict="bot")
    advance_rollup()
    ClickQuarterCount.objects.all().delete()
    assert rebuild_rollup() == at(11, 45)
    assert rollup_rows() == {("24 09:00", "human"): 1, ("24 09:15", "bot"): 1}
    assert heatmap_cells(api, "?include_bots=true") == {(TUESDAY, 9): 2}


def test_half_hour_time_zones_still_split_rolled_up_utc_hours(api, frozen, link, settings):
    """Asia/Kolkata (UTC+5:30): Sunday 18:10 and 18:29:59.999999 UTC are Sunday 23:xx, 18:30 and 18:40 Monday 00:xx."""
    settings.TIME_ZONE = "Asia/Kolkata"
    for moment in (at(18, 10, day=22), at(18, 29, 59, 999999, day=22), at(18, 30, day=22), at(18, 40, day=22)):
        make_click(link, moment)
    advance_rollup()
    assert rollup_rows() == {("22 18:00", "human"): 1, ("22 18:15", "human"): 1, ("22 18:30", "human"): 2}
    assert heatmap_cells(api) == {(SUNDAY, 23): 2, (MONDAY, 0): 2}
    assert timeline_days(api) == {"2026-11-22": 2, "2026-11-23": 2}


@pytest.mark.django_db(transaction=True)
def test_concurrent_advances_count_each_click_once(frozen):
    """Two readers advancing at the same moment, each on its own connection: one rolls up, the other waits and finds nothing to do."""
    link = make_link()
    for minute in range(0, 60, 5):
        make_click(link, at(9, minute))
    start = threading.Barrier(2)
    watermarks, errors = [], []

    def reader():
        try:
            start.wait()
            watermarks.append(advance_rollup())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert watermarks == [at(11, 45), at(11, 45)]
    assert rollup_rows() == {(f"24 09:{minute:02}", "human"): 3 for minute in (0, 15, 30, 45)}
    assert rolled_up_until() > EPOCH
