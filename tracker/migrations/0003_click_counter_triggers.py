"""Keep each link's click counters (links 0004) exact with triggers on the clicks table, and fill
them for the clicks already stored.

Incremental in every case, never a full recount of the link, so that deleting a link with 10,000
clicks or reclassifying them stays linear:
- insert: add the click to its link's counts and first/last times;
- delete: take it away; a first/last time equal to the deleted click's is looked up again (one
  index seek on (link, clicked_at));
- update of verdict, time or link (burst marking, reclassify_clicks): delete OLD, then insert NEW.

Triggers and backfill run in one transaction: no click falls between the two. On SQLite datetimes
are stored as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]' (the ORM and the redirect's raw INSERT alike),
so text order is time order and min()/max() compare them correctly.
"""

from django.db import migrations, models
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

HUMAN = "'human'"

SQLITE_INSERT = f"""
    UPDATE links_link SET
        human_clicks = human_clicks + (NEW.verdict = {HUMAN}),
        machine_clicks = machine_clicks + (NEW.verdict <> {HUMAN}),
        first_human_click_at = CASE WHEN NEW.verdict = {HUMAN}
            THEN min(coalesce(first_human_click_at, NEW.clicked_at), NEW.clicked_at) ELSE first_human_click_at END,
        last_human_click_at = CASE WHEN NEW.verdict = {HUMAN}
            THEN max(coalesce(last_human_click_at, NEW.clicked_at), NEW.clicked_at) ELSE last_human_click_at END,
        first_click_at = min(coalesce(first_click_at, NEW.clicked_at), NEW.clicked_at),
        last_click_at = max(coalesce(last_click_at, NEW.clicked_at), NEW.clicked_at)
    WHERE id = NEW.link_id;
"""

# Shared by both databases: plain SQL with OLD's columns.
DELETE = f"""
    UPDATE links_link SET
        human_clicks = human_clicks - CASE WHEN OLD.verdict = {HUMAN} THEN 1 ELSE 0 END,
        machine_clicks = machine_clicks - CASE WHEN OLD.verdict <> {HUMAN} THEN 1 ELSE 0 END,
        first_human_click_at = CASE WHEN OLD.verdict = {HUMAN} AND OLD.clicked_at = first_human_click_at
            THEN (SELECT min(clicked_at) FROM tracker_click WHERE link_id = OLD.link_id AND verdict = {HUMAN})
            ELSE first_human_click_at END,
        last_human_click_at = CASE WHEN OLD.verdict = {HUMAN} AND OLD.clicked_at = last_human_click_at
            THEN (SELECT max(clicked_at) FROM tracker_click WHERE link_id = OLD.link_id AND verdict = {HUMAN})
            ELSE last_human_click_at END,
        first_click_at = CASE WHEN OLD.clicked_at = first_click_at
            THEN (SELECT min(clicked_at) FROM tracker_click WHERE link_id = OLD.link_id) ELSE first_click_at END,
        last_click_at = CASE WHEN OLD.clicked_at = last_click_at
            THEN (SELECT max(clicked_at) FROM tracker_click WHERE link_id = OLD.link_id) ELSE last_click_at END
    WHERE id = OLD.link_id;
"""

POSTGRESQL_INSERT = f"""
    UPDATE links_link SET
        human_clicks = human_clicks + CASE WHEN NEW.verdict = {HUMAN} THEN 1 ELSE 0 END,
        machine_clicks = machine_clicks + CASE WHEN NEW.verdict <> {HUMAN} THEN 1 ELSE 0 END,
        first_human_click_at = CASE WHEN NEW.verdict = {HUMAN}
            THEN least(first_human_click_at, NEW.clicked_at) ELSE first_human_click_at END,
        last_human_click_at = CASE WHEN NEW.verdict = {HUMAN}
            THEN greatest(last_human_click_at, NEW.clicked_at) ELSE last_human_click_at END,
        first_click_at = least(first_click_at, NEW.clicked_at),
        last_click_at = greatest(last_click_at, NEW.clicked_at)
    WHERE id = NEW.link_id;
"""

UPDATED_COLUMNS = "verdict, clicked_at, link_id"

CREATE = {
    "sqlite": [
        f"CREATE TRIGGER click_counters_insert AFTER INSERT ON tracker_click BEGIN {SQLITE_INSERT} END",
        f"CREATE TRIGGER click_counters_delete AFTER DELETE ON tracker_click BEGIN {DELETE} END",
        f"CREATE TRIGGER click_counters_update AFTER UPDATE OF {UPDATED_COLUMNS} ON tracker_click"
        f" BEGIN {DELETE} {SQLITE_INSERT} END",
    ],
    "postgresql": [
        "CREATE FUNCTION click_counters_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {POSTGRESQL_INSERT} RETURN NULL; END $$",
        "CREATE FUNCTION click_counters_delete() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {DELETE} RETURN NULL; END $$",
        "CREATE FUNCTION click_counters_update() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {DELETE} {POSTGRESQL_INSERT} RETURN NULL; END $$",
        "CREATE TRIGGER click_counters_insert AFTER INSERT ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_counters_insert()",
        "CREATE TRIGGER click_counters_delete AFTER DELETE ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_counters_delete()",
        f"CREATE TRIGGER click_counters_update AFTER UPDATE OF {UPDATED_COLUMNS} ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_counters_update()",
    ],
}

DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS click_counters_{event}" for event in ("insert", "delete", "update")],
    "postgresql": [
        statement
        for event in ("insert", "delete", "update")
        for statement in (
            f"DROP TRIGGER IF EXISTS click_counters_{event} ON tracker_click",
            f"DROP FUNCTION IF EXISTS click_counters_{event}()",
        )
    ],
}


def run(statements):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No click counter triggers for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    return operation


def count_existing_clicks(apps, schema_editor):
    """One UPDATE with a correlated aggregate per counter (tracker.counters.rebuild_link_counters,
    frozen here as migrations must be)."""
    Link = apps.get_model("links", "Link")
    Click = apps.get_model("tracker", "Click")
    clicks = Click.objects.filter(link=OuterRef("pk")).order_by().values("link")
    human = Q(verdict="human")

    def aggregate(function, condition=Q()):
        return Subquery(clicks.filter(condition).annotate(value=function).values("value"))

    Link.objects.using(schema_editor.connection.alias).update(
        human_clicks=Coalesce(aggregate(Count("id"), human), 0),
        machine_clicks=Coalesce(aggregate(Count("id"), ~human), 0),
        first_human_click_at=aggregate(Min("clicked_at"), human),
        last_human_click_at=aggregate(Max("clicked_at"), human),
        first_click_at=aggregate(Min("clicked_at")),
        last_click_at=aggregate(Max("clicked_at")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0004_link_click_counters"),
        ("tracker", "0002_covering_click_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="click",
            index=models.Index(
                condition=models.Q(("verdict", "human"), _negated=True),
                fields=["verdict", "clicked_at", "link", "id"],
                name="click_machine_verdict_time",
            ),
        ),
        migrations.RunPython(run(CREATE), run(DROP)),
        migrations.RunPython(count_existing_clicks, migrations.RunPython.noop),
    ]
