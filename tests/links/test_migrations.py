"""Adding ICP to an existing database: a database from before ICP keeps every row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_ICP = [("links", "0001_initial"), ("tracker", "0001_initial")]


def migrate(targets):
    """Migrate to `targets` and return the historical apps at that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_from_before_icp_keeps_every_row_with_icp_null():
    """Campaigns, links (with their tokens) and clicks survive; ICP arrives empty (Non défini)."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = migrate(BEFORE_ICP)
    Campaign = old_apps.get_model("links", "Campaign")
    Link = old_apps.get_model("links", "Link")
    Click = old_apps.get_model("tracker", "Click")
    assert "icp" not in {field.name for field in Link._meta.get_fields()}
    wesser = Campaign.objects.create(name="wesser-recrutement.fr")
    aura = Campaign.objects.create(name="aura.camp")
    john = Link.objects.create(
        token="tok-john",
        first_name="John",
        last_name="Doe",
        email="john@company.com",
        campaign=wesser,
        destination_url="https://wesser.fr/offre",
    )
    Link.objects.create(
        token="tok-jane",
        first_name="Jane",
        last_name="Smith",
        email="jane@startup.io",
        campaign=aura,
        destination_url="https://aura.camp/demo",
    )
    clicked_at = timezone.now().replace(microsecond=0)
    Click.objects.create(link=john, clicked_at=clicked_at, verdict="human", ip="203.0.113.0")
    Click.objects.create(link=john, clicked_at=clicked_at, verdict="scanner", reason="burst")

    new_apps = migrate(latest)

    Link = new_apps.get_model("links", "Link")
    Click = new_apps.get_model("tracker", "Click")
    assert sorted(
        Link.objects.values_list("token", "email", "first_name", "campaign__name", "icp", "channel", "sent_at")
    ) == [
        ("tok-jane", "jane@startup.io", "Jane", "aura.camp", None, "", None),
        ("tok-john", "john@company.com", "John", "wesser-recrutement.fr", None, "", None),
    ]
    assert sorted(Click.objects.values_list("link__token", "clicked_at", "verdict")) == [
        ("tok-john", clicked_at, "human"),
        ("tok-john", clicked_at, "scanner"),
    ]
    assert new_apps.get_model("links", "Campaign").objects.count() == 2
    # The click counters arrive filled in for the clicks already stored.
    assert sorted(
        Link.objects.values_list(
            "token",
            "human_clicks",
            "machine_clicks",
            "first_human_click_at",
            "last_click_at",
        )
    ) == [("tok-jane", 0, 0, None, None), ("tok-john", 1, 1, clicked_at, clicked_at)]
