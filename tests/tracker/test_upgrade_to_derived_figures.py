"""The upgrade from the schema with click triggers (tracker 0004) to figures derived by the worker:
the triggers go, and every counter and the rollup come out exact from the clicks already stored."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from links.models import CLICK_COUNTERS
from tracker.checks import OLD_TRIGGERS

WITH_TRIGGERS = [("links", "0004_link_click_counters"), ("tracker", "0004_click_rollup")]


def migrate(targets):
    """Migrate to `targets` and return the historical apps at that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return sorted(name for (name,) in cursor.fetchall() if name in OLD_TRIGGERS)


def quarter(moment):
    return moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)


@pytest.mark.django_db(transaction=True)
def test_upgrading_a_database_with_click_triggers_drops_them_and_derives_every_figure():
    """Links and clicks stored under the old triggers (one count drifted, as after a bulk load with
    the triggers off): after migrating, the counters equal the clicks, the closed quarters are rolled
    up, the worker starts after the last click, and no trigger is left."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = migrate(WITH_TRIGGERS)
    assert len(installed_triggers()) == 6
    Campaign, Link = old_apps.get_model("links", "Campaign"), old_apps.get_model("links", "Link")
    Click = old_apps.get_model("tracker", "Click")
    wesser = Campaign.objects.create(name="wesser-recrutement.fr")
    john = Link.objects.create(
        token="tok-john", email="john@company.com", campaign=wesser, destination_url="https://wesser.fr"
    )
    jane = Link.objects.create(
        token="tok-jane", email="jane@startup.io", campaign=wesser, destination_url="https://wesser.fr"
    )
    Link.objects.create(token="tok-noel", email="noel@startup.io", campaign=wesser, destination_url="https://wesser.fr")
    now = timezone.now().replace(microsecond=0)
    two_days, yesterday, just_now = now - timedelta(days=2), now - timedelta(days=1), now - timedelta(seconds=30)
    Click.objects.create(link=john, clicked_at=two_days, verdict="scanner", reason="seconds after sending")
    Click.objects.create(link=john, clicked_at=yesterday, verdict="human")
    Click.objects.create(link=john, clicked_at=just_now, verdict="human")
    last = Click.objects.create(link=jane, clicked_at=yesterday + timedelta(minutes=1), verdict="human")
    assert Link.objects.values_list("human_clicks", "machine_clicks").get(pk=john.pk) == (2, 1)  # the triggers
    Link.objects.filter(pk=jane.pk).update(human_clicks=40)  # drifted

    new_apps = migrate(latest)

    assert installed_triggers() == []
    Link = new_apps.get_model("links", "Link")
    assert sorted(Link.objects.values_list("token", *CLICK_COUNTERS)) == [
        ("tok-jane", 1, 0, last.clicked_at, last.clicked_at, last.clicked_at, last.clicked_at),
        ("tok-john", 2, 1, yesterday, just_now, two_days, just_now),
        ("tok-noel", 0, 0, None, None, None, None),
    ]
    ClickQuarterCount = new_apps.get_model("tracker", "ClickQuarterCount")
    watermark = new_apps.get_model("tracker", "RollupWatermark").objects.get().rolled_up_until
    assert quarter(now - timedelta(minutes=5)) <= watermark <= quarter(timezone.now() - timedelta(minutes=5))
    expected = {(quarter(two_days), "scanner"): 1}
    for moment in (yesterday, yesterday + timedelta(minutes=1)):
        expected[quarter(moment), "human"] = expected.get((quarter(moment), "human"), 0) + 1
    assert {
        (row.quarter_start, row.verdict): row.clicks for row in ClickQuarterCount.objects.all()
    } == expected  # just_now is after the watermark: read raw
    derivation = new_apps.get_model("tracker", "ClickDerivation").objects.get()
    assert derivation.last_click_id == last.pk
    assert now <= derivation.figures_as_of <= timezone.now()
