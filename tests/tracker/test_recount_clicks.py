"""manage.py recount_clicks rebuilds every figure derived from the clicks."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from links.models import Link
from tests.factories import make_click, make_link
from tracker.derivation import derive_click_figures
from tracker.models import Click, ClickDerivation, ClickQuarterCount, RollupWatermark
from tracker.recording import click_facts, record_click

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_it_repairs_counters_and_rollup_and_catches_up_with_every_click():
    """Damaged counters, lost rollup rows and a click never derived: all exact afterwards, with a
    progress bar and a summary."""
    john, jane = make_link(email="john@company.com"), make_link(email="jane@startup.io")
    make_click(john, NOW - timedelta(hours=3))
    make_click(john, NOW - timedelta(hours=2), verdict="scanner")
    facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=NOW - timedelta(hours=1))
    record_click(jane.pk, facts, known_verdict=("human", ""))  # not derived yet
    Link.objects.filter(pk=john.pk).update(human_clicks=9, machine_clicks=9)
    ClickQuarterCount.objects.all().delete()
    out = io.StringIO()

    call_command("recount_clicks", stdout=out)

    assert sorted(Link.objects.values_list("email", "human_clicks", "machine_clicks", "last_click_at")) == [
        ("jane@startup.io", 1, 0, NOW - timedelta(hours=1)),
        ("john@company.com", 1, 1, NOW - timedelta(hours=2)),
    ]
    assert sorted(ClickQuarterCount.objects.values_list("quarter_start", "verdict", "clicks")) == [
        (NOW - timedelta(hours=3), "human", 1),
        (NOW - timedelta(hours=2), "scanner", 1),
        (NOW - timedelta(hours=1), "human", 1),
    ]
    assert RollupWatermark.objects.get().rolled_up_until == NOW - timedelta(minutes=15)
    assert ClickDerivation.objects.get().figures_as_of == NOW
    output = out.getvalue()
    assert "2/2" in output
    assert output.rstrip().endswith("Recounted the clicks of 2 links and the rollup.")


def test_an_insert_in_flight_during_a_recount_is_added_when_it_commits():
    """A click whose id was handed out before the recount but committed after it (PostgreSQL hands
    out ids before commit) is below the new watermark: the recount notes the gap, and the next
    pass finds the click there and counts it."""
    link = make_link()
    for _ in range(3):
        make_click(link, NOW)
    in_flight = Click.objects.order_by("id")[1]
    Click.objects.filter(pk=in_flight.pk).delete()  # not visible yet while the recount counts

    call_command("recount_clicks", stdout=io.StringIO())
    assert Link.objects.get(pk=link.pk).human_clicks == 2

    in_flight.save(force_insert=True)  # its insert commits
    derive_click_figures()
    assert Link.objects.get(pk=link.pk).human_clicks == 3
