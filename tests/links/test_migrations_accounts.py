"""Migrating an existing database to accounts, countries and devices keeps every row and trigger."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_ACCOUNTS = [("links", "0004_link_click_counters"), ("tracker", "0004_click_rollup")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_links_get_their_account_and_clicks_wait_to_be_described():
    """Accounts are filled from the e-mails; stored clicks have no country and are not described
    yet; the upgrade derives the link counters from the stored clicks."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = migrate(BEFORE_ACCOUNTS)
    campaign = old_apps.get_model("links", "Campaign").objects.create(name="q4")
    OldLink = old_apps.get_model("links", "Link")
    ceo = OldLink.objects.create(
        token="tok-ceo", email="ceo@acme.com", campaign=campaign, destination_url="https://acme.example/"
    )
    OldLink.objects.create(
        token="tok-free", email="Jean@Orange.fr", campaign=campaign, destination_url="https://acme.example/"
    )
    clicked_at = timezone.now().replace(microsecond=0)
    old_apps.get_model("tracker", "Click").objects.create(link=ceo, clicked_at=clicked_at, verdict="human")

    new_apps = migrate(latest)

    Link = new_apps.get_model("links", "Link")
    Click = new_apps.get_model("tracker", "Click")
    assert sorted(Link.objects.values_list("token", "account", "shared")) == [
        ("tok-ceo", "acme.com", False),
        ("tok-free", "jean@orange.fr", False),
    ]
    assert list(Click.objects.values_list("country", "device_type", "os", "browser")) == [("", "", "", "")]
    assert Link.objects.get(token="tok-ceo").human_clicks == 1
