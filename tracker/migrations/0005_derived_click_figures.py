"""Click figures derived by the worker instead of database triggers (tracker.derivation).

The upgrade: drop the click counter triggers (0003) and the rollup triggers (0004), so that the
redirect's INSERT writes nothing else; add the worker's state (ClickDerivation) and its list of
figures to recount (StaleClickFigure); then backfill, in the same transaction, every link's counters
and the rollup of closed quarter hours from the clicks, and put the worker's watermark at the last
click. Frozen here as migrations must be (tracker.counters, tracker.rollup).

Last, the single-column indexes on the clicks' link and time go: the composite indexes of 0002
lead with each of them, and every index is one more write on the redirect's INSERT.

Reversing re-creates the triggers of 0003 and 0004 and recounts the counters.
"""

import importlib
from datetime import UTC, datetime, timedelta

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

COUNTER_TRIGGERS = importlib.import_module("tracker.migrations.0003_click_counter_triggers")
ROLLUP_TRIGGERS = importlib.import_module("tracker.migrations.0004_click_rollup")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
QUARTER_SECONDS = 15 * 60
ROLLUP_DELAY = timedelta(minutes=5)
QUARTER = {
    "sqlite": "datetime(unixepoch(substr(clicked_at, 1, 19)) / 900 * 900, 'unixepoch')",
    "postgresql": "date_bin('15 minutes', clicked_at, TIMESTAMPTZ '1970-01-01 00:00:00+00')",
}


def run(*statement_sets):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statements in statement_sets:
            if vendor not in statements:
                raise NotImplementedError(f"No click triggers for {vendor}.")
            for statement in statements[vendor]:
                schema_editor.execute(statement, params=None)

    return operation


def count_clicks_per_link(apps, schema_editor):
    """Every link's counters in one UPDATE with a correlated aggregate per counter."""
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


def derive_existing_clicks(apps, schema_editor):
    """Counters, the rollup of the quarters closed ROLLUP_DELAY ago, and the worker's watermark."""
    alias = schema_editor.connection.alias
    Click = apps.get_model("tracker", "Click")
    RollupWatermark = apps.get_model("tracker", "RollupWatermark")
    ClickDerivation = apps.get_model("tracker", "ClickDerivation")
    last_click_id = Click.objects.using(alias).aggregate(last=Max("id"))["last"]
    if last_click_id is None:  # no click yet: the worker's first pass starts from the epoch
        ClickDerivation.objects.using(alias).create(pk=1)
        return
    now = datetime.now(UTC)
    count_clicks_per_link(apps, schema_editor)

    seconds = int((now - ROLLUP_DELAY - EPOCH).total_seconds()) // QUARTER_SECONDS * QUARTER_SECONDS
    watermark = EPOCH + timedelta(seconds=seconds)
    quarter = QUARTER[schema_editor.connection.vendor]
    schema_editor.execute("DELETE FROM tracker_clickquartercount", params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_clickquartercount (quarter_start, verdict, clicks)"
            f" SELECT {quarter}, verdict, COUNT(id) FROM tracker_click WHERE clicked_at < %s"
            f" GROUP BY {quarter}, verdict",
            [schema_editor.connection.ops.adapt_datetimefield_value(watermark)],
        )
    RollupWatermark.objects.using(alias).update_or_create(pk=1, defaults={"rolled_up_until": watermark})

    ClickDerivation.objects.using(alias).create(pk=1, last_click_id=last_click_id, figures_as_of=now)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0004_click_rollup"),
    ]

    operations = [
        migrations.RunPython(
            run(COUNTER_TRIGGERS.DROP, ROLLUP_TRIGGERS.DROP),
            run(COUNTER_TRIGGERS.CREATE, ROLLUP_TRIGGERS.CREATE),
        ),
        migrations.CreateModel(
            name="ClickDerivation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_click_id", models.BigIntegerField(default=0)),
                ("missing_click_ids", models.JSONField(default=list)),
                ("figures_as_of", models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="StaleClickFigure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("link_id", models.BigIntegerField(null=True)),
                ("quarter_start", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(derive_existing_clicks, count_clicks_per_link),
        # The single-column indexes on clicked_at and link are covered by the composite indexes of
        # 0002 (which lead with each): two writes less on every click.
        migrations.AlterField(
            model_name="click",
            name="clicked_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="click",
            name="link",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="clicks",
                to="links.link",
            ),
        ),
    ]
