"""The links table carries only indexes something reads: each one is a write on every counters update."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from links.models import Link

BEFORE_DROPPING = [("links", "0010_admin_names_translated")]


def link_indexes():
    """{name: (columns, unique)} of every index of the links table (unique constraints included)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Link._meta.db_table)
    return {
        name: (tuple(details["columns"]), details["unique"])
        for name, details in constraints.items()
        if details["index"] or details["unique"] and not details["primary_key"]
    }


def non_unique_indexes_on(columns):
    return [name for name, (indexed, unique) in link_indexes().items() if indexed == columns and not unique]


@pytest.mark.django_db
def test_the_campaign_and_the_token_have_no_index_besides_the_ones_read():
    assert non_unique_indexes_on(("campaign_id",)) == []
    assert non_unique_indexes_on(("token",)) == []  # PostgreSQL's varchar_pattern_ops copy
    # What the lookups use stays: the token's unique index, the campaign-led index.
    assert any(columns == ("token",) and unique for columns, unique in link_indexes().values())
    assert ("campaign_id", "human_clicks") in {columns for columns, _ in link_indexes().values()}


@pytest.mark.django_db(transaction=True)
def test_migrating_back_restores_the_dropped_indexes_and_forward_drops_them_again():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_DROPPING)
    assert len(non_unique_indexes_on(("campaign_id",))) == 1
    assert len(non_unique_indexes_on(("token",))) == (1 if connection.vendor == "postgresql" else 0)

    executor.loader.build_graph()
    executor.migrate(latest)

    assert non_unique_indexes_on(("campaign_id",)) == []
    assert non_unique_indexes_on(("token",)) == []


@pytest.mark.django_db
def test_the_links_of_a_campaign_are_found_through_the_campaign_led_index():
    """Dropping the campaign's own index must not leave its lookups to a scan of every link."""
    with connection.cursor() as cursor:
        query = "SELECT id FROM links_link WHERE campaign_id = %s"
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {query}", [1])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {query}", [1])
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "link_campaign_human_clicks" in plan
