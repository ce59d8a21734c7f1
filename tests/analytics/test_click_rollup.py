"""The all-time heatmap and timeline read closed quarter hours from their rollup (tracker.rollup),
which only the worker's derivation pass writes (tracker.derivation): after a pass, rolled-up
quarters plus the raw clicks after the watermark give the exact count of the clicks, whatever
happened to them; a read never moves the rollup.

Time is frozen on Tuesday 24 Nov 2026 at 12:00 UTC: the watermark is then 11:45 (the last quarter
boundary at least 5 minutes old).
"""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib import admin
from django.db import connection

from tests.factories import make_click, make_link
from tracker.derivation import derive_click_figures, mark_figures_stale, recount_click_figures
from tracker.models import Click, ClickDerivation, ClickQuarterCount
from tracker.recording import click_facts, record_click
from tracker.rollup import EPOCH, rolled_up_until

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


def store_click(link, clicked_at, verdict="human"):
    """A click written by the one writer and not derived yet (the worker has not passed)."""
    facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=clicked_at)
    record_click(link.pk, facts, known_verdict=(verdict, ""))


def test_rolled_up_quarters_plus_the_raw_clicks_after_the_watermark_count_every_click(api, frozen, link):
    """11:20 is rolled up at 12:00 (watermark 11:45); 11:50 and 11:58 are read raw; at 12:20 the reads
    leave the rollup where it is, the worker's next pass rolls them up."""
    for moment in (at(11, 20), at(11, 50), at(11, 58)):
        make_click(link, moment)

    assert heatmap_cells(api) == {(TUESDAY, 11): 3}
    assert rolled_up_until() == at(11, 45)
    assert rollup_rows() == {("24 11:15", "human"): 1}

    frozen.move_to(at(12, 20))
    assert heatmap_cells(api) == {(TUESDAY, 11): 3}
    assert timeline_days(api) == {"2026-11-24": 3}
    assert rolled_up_until() == at(11, 45)
    derive_click_figures()
    assert rolled_up_until() == at(12, 15)
    assert rollup_rows() == {("24 11:15", "human"): 1, ("24 11:45", "human"): 2}
    assert heatmap_cells(api) == {(TUESDAY, 11): 3}


def test_the_redirects_click_after_the_watermark_is_counted_raw_before_any_pass(api, client, frozen, link):
    """A click at now is after the watermark: the heatmap counts it at once, the rollup stays empty."""
    derive_click_figures()
    assert client.get(f"/t/{link.token}").status_code == 302
    assert heatmap_cells(api, "?include_bots=true") == {(TUESDAY, 12): 1}
    derive_click_figures()
    assert rollup_rows() == {}


def test_a_click_inserted_late_before_the_watermark_is_counted_by_the_next_pass(api, frozen, link):
    """A click written at 12:00 with its original time, 09:05 (a held click, a bulk load), joins its
    rolled-up quarter on the worker's next pass."""
    make_click(link, at(9, 10))
    store_click(link, at(9, 5))
    assert rollup_rows() == {("24 09:00", "human"): 1}
    derive_click_figures()
    assert rollup_rows() == {("24 09:00", "human"): 2}
    assert heatmap_cells(api) == {(TUESDAY, 9): 2}


def test_a_click_whose_insert_committed_after_later_ones_is_still_counted(api, frozen, link):
    """Ids are handed out before commit: a pass that saw click 3 but not click 2 (still in flight)
    looks for 2 again on later passes."""
    first = make_click(link, at(9, 5))
    in_flight = make_click(link, at(9, 6))
    in_flight_row = Click.objects.filter(pk=in_flight.pk)
    values = in_flight_row.values("link_id", "clicked_at", "verdict").get()
    # Rewind: as if the pass had only seen `first`, then `in_flight` was not committed yet.
    in_flight_row.delete()
    ClickDerivation.objects.update(last_click_id=first.pk, missing_click_ids=[])
    make_click(link, at(9, 7))
    assert ClickDerivation.objects.get().missing_click_ids[0][:2] == [in_flight.pk, in_flight.pk]
    Click.objects.create(pk=in_flight.pk, **values)  # commits now
    derive_click_figures()

    assert rollup_rows() == {("24 09:00", "human"): 3}
    assert ClickDerivation.objects.get().missing_click_ids == []
    link.refresh_from_db()
    assert link.human_clicks == 3


def test_a_deleted_click_or_link_before_the_watermark_is_taken_away(api, frozen, link):
    """A click deleted in the admin, then the link deleted through the API: each leaves the rollup on
    the next pass."""
    first = make_click(link, at(9, 5))
    make_click(link, at(9, 10))
    admin.site._registry[Click].delete_queryset(None, Click.objects.filter(pk=first.pk))
    derive_click_figures()
    assert rollup_rows() == {("24 09:00", "human"): 1}
    assert heatmap_cells(api) == {(TUESDAY, 9): 1}

    assert api.delete(f"/api/links/{link.pk}/").status_code == 204
    derive_click_figures()
    assert rollup_rows() == {}
    assert heatmap_cells(api) == {}
    assert timeline_days(api) == {}


def test_a_reclassified_click_before_the_watermark_moves_to_its_verdict(api, frozen, link):
    """A human click at 09:05 marked scanner leaves the human figures and stays in include_bots."""
    click = make_click(link, at(9, 5))
    clicks = Click.objects.filter(pk=click.pk)
    mark_figures_stale(clicks)
    clicks.update(verdict="scanner")
    derive_click_figures()
    assert rollup_rows() == {("24 09:00", "scanner"): 1}
    assert heatmap_cells(api) == {}
    assert heatmap_cells(api, "?include_bots=true") == {(TUESDAY, 9): 1}


def test_a_click_moved_in_time_moves_between_quarters_and_across_the_watermark(api, frozen, link):
    """09:05 -> Sunday 10:40 (both rolled up), then -> 11:50 (after the watermark: raw, rollup emptied)."""
    click = make_click(link, at(9, 5))
    clicks = Click.objects.filter(pk=click.pk)
    for moved_to in (at(10, 40, day=22), at(11, 50)):
        mark_figures_stale(clicks)
        clicks.update(clicked_at=moved_to)
        mark_figures_stale(clicks)
        derive_click_figures()
        if moved_to.day == 22:
            assert rollup_rows() == {("22 10:30", "human"): 1}
            assert heatmap_cells(api) == {(SUNDAY, 10): 1}
    assert rollup_rows() == {}
    assert heatmap_cells(api) == {(TUESDAY, 11): 1}
    assert timeline_days(api) == {"2026-11-24": 1}


def test_passing_twice_counts_each_click_once(api, frozen, link):
    """A second pass at the same time finds nothing to do."""
    make_click(link, at(9, 5))
    assert derive_click_figures() == 0
    assert rolled_up_until() == at(11, 45)
    assert rollup_rows() == {("24 09:00", "human"): 1}
    assert heatmap_cells(api) == {(TUESDAY, 9): 1}


def test_recounting_rebuilds_the_rollup_from_the_clicks(api, frozen, link):
    """A damaged rollup (rows lost) is recounted up to the watermark by recount_click_figures()."""
    make_click(link, at(9, 5))
    make_click(link, at(9, 20), verdict="bot")
    ClickQuarterCount.objects.all().delete()
    assert recount_click_figures() == 1
    assert rolled_up_until() == at(11, 45)
    assert rollup_rows() == {("24 09:00", "human"): 1, ("24 09:15", "bot"): 1}
    assert heatmap_cells(api, "?include_bots=true") == {(TUESDAY, 9): 2}


def test_half_hour_time_zones_still_split_rolled_up_utc_hours(api, frozen, link, settings):
    """Asia/Kolkata (UTC+5:30): Sunday 18:10 and 18:29:59.999999 UTC are Sunday 23:xx, 18:30 and 18:40 Monday 00:xx."""
    settings.TIME_ZONE = "Asia/Kolkata"
    for moment in (at(18, 10, day=22), at(18, 29, 59, 999999, day=22), at(18, 30, day=22), at(18, 40, day=22)):
        make_click(link, moment)
    assert rollup_rows() == {("22 18:00", "human"): 1, ("22 18:15", "human"): 1, ("22 18:30", "human"): 2}
    assert heatmap_cells(api) == {(SUNDAY, 23): 2, (MONDAY, 0): 2}
    assert timeline_days(api) == {"2026-11-22": 2, "2026-11-23": 2}


@pytest.mark.django_db(transaction=True)
def test_concurrent_passes_count_each_click_once(frozen):
    """Two workers passing at the same moment, each on its own connection: one derives, the other
    skips (PostgreSQL: the state row is locked) or waits and finds nothing to do (SQLite)."""
    link = make_link()
    for minute in range(0, 60, 5):
        store_click(link, at(9, minute))
    start = threading.Barrier(2)
    handled, errors = [], []

    def worker():
        try:
            start.wait()
            handled.append(derive_click_figures())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(handled) == [0, 12]
    assert rollup_rows() == {(f"24 09:{minute:02}", "human"): 3 for minute in (0, 15, 30, 45)}
    assert rolled_up_until() > EPOCH
