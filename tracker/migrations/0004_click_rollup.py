"""The rollup of closed quarter hours (tracker.rollup): its table, its watermark at the epoch
(nothing rolled up: the first reader rolls up every click) and the triggers that keep it exact when
history changes below the watermark.

The redirect's insert (clicked_at = now, after the watermark) only pays the watermark lookup. A click
inserted, deleted or changed before the watermark (bulk loads, tests, deletes, reclassify_clicks)
moves one count: +1 in its quarter and verdict on insert, -1 on delete, both on update. A decrement
only updates: the row of a rolled-up click exists, and a flush that empties the rollup first must
not leave negative rows. The quarter is computed as tracker.rollup.QuarterHour does (frozen here).
"""

from datetime import datetime, timezone

from django.db import migrations, models

TABLE = "tracker_clickquartercount"
WATERMARK = "(SELECT rolled_up_until FROM tracker_rollupwatermark WHERE id = 1)"
QUARTER = {
    "sqlite": "datetime(unixepoch(substr({}, 1, 19)) / 900 * 900, 'unixepoch')",
    "postgresql": "date_bin('15 minutes', {}, TIMESTAMPTZ '1970-01-01 00:00:00+00')",
}


def add(vendor, row, condition="true"):
    return (
        f"INSERT INTO {TABLE} (quarter_start, verdict, clicks)"
        f" SELECT {QUARTER[vendor].format(row + '.clicked_at')}, {row}.verdict, 1 WHERE {condition}"
        f" ON CONFLICT (quarter_start, verdict) DO UPDATE SET clicks = {TABLE}.clicks + 1;"
    )


def take_away(vendor, row, condition="true"):
    return (
        f"UPDATE {TABLE} SET clicks = clicks - 1"
        f" WHERE quarter_start = {QUARTER[vendor].format(row + '.clicked_at')} AND verdict = {row}.verdict"
        f" AND {condition};"
    )


def rolled_up(row):
    return f"{row}.clicked_at < {WATERMARK}"


def plpgsql(name, body):
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"


CREATE = {
    "sqlite": [
        f"CREATE TRIGGER click_rollup_insert AFTER INSERT ON tracker_click WHEN {rolled_up('NEW')}"
        f" BEGIN {add('sqlite', 'NEW')} END",
        f"CREATE TRIGGER click_rollup_delete AFTER DELETE ON tracker_click WHEN {rolled_up('OLD')}"
        f" BEGIN {take_away('sqlite', 'OLD')} END",
        "CREATE TRIGGER click_rollup_update AFTER UPDATE OF verdict, clicked_at ON tracker_click"
        f" BEGIN {take_away('sqlite', 'OLD', rolled_up('OLD'))} {add('sqlite', 'NEW', rolled_up('NEW'))} END",
    ],
    "postgresql": [
        plpgsql("click_rollup_insert", f"IF {rolled_up('NEW')} THEN {add('postgresql', 'NEW')} END IF;"),
        plpgsql("click_rollup_delete", f"IF {rolled_up('OLD')} THEN {take_away('postgresql', 'OLD')} END IF;"),
        plpgsql(
            "click_rollup_update",
            f"IF {rolled_up('OLD')} THEN {take_away('postgresql', 'OLD')} END IF;"
            f" IF {rolled_up('NEW')} THEN {add('postgresql', 'NEW')} END IF;",
        ),
        "CREATE TRIGGER click_rollup_insert AFTER INSERT ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_rollup_insert()",
        "CREATE TRIGGER click_rollup_delete AFTER DELETE ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_rollup_delete()",
        "CREATE TRIGGER click_rollup_update AFTER UPDATE OF verdict, clicked_at ON tracker_click"
        " FOR EACH ROW EXECUTE FUNCTION click_rollup_update()",
    ],
}

DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS click_rollup_{event}" for event in ("insert", "delete", "update")],
    "postgresql": [
        statement
        for event in ("insert", "delete", "update")
        for statement in (
            f"DROP TRIGGER IF EXISTS click_rollup_{event} ON tracker_click",
            f"DROP FUNCTION IF EXISTS click_rollup_{event}()",
        )
    ],
}


def run(statements):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No click rollup triggers for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    return operation


def create_watermark(apps, schema_editor):
    RollupWatermark = apps.get_model("tracker", "RollupWatermark")
    RollupWatermark.objects.using(schema_editor.connection.alias).create(
        pk=1,
        rolled_up_until=datetime(1970, 1, 1, tzinfo=timezone.utc),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0003_click_counter_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupWatermark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("rolled_up_until", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="ClickQuarterCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("quarter_start", models.DateTimeField()),
                (
                    "verdict",
                    models.CharField(
                        choices=[
                            ("human", "Human"),
                            ("scanner", "E-mail security scanner"),
                            ("preview", "Link preview"),
                            ("prefetch", "Browser prefetch"),
                            ("bot", "Bot"),
                        ],
                        max_length=10,
                    ),
                ),
                ("clicks", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("quarter_start", "verdict"), name="click_quarter_count_unique")
                ],
            },
        ),
        migrations.RunPython(create_watermark, migrations.RunPython.noop),
        migrations.RunPython(run(CREATE), run(DROP)),
    ]
