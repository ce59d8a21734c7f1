"""Each click's country (resolved at click time) and device type, OS and browser (described by the
worker), plus the small partial index of the clicks not described yet.

The columns are added with a plain ALTER TABLE ... ADD COLUMN on both databases: Django's SQLite
schema editor would rebuild tracker_click for a NOT NULL column, which drops its triggers. A
constant default makes the ADD COLUMN instant on PostgreSQL (no table rewrite) and lets the
redirect's INSERT leave the device columns out. Existing clicks start "not described": the worker
(or `manage.py describe_clicks`) describes them.
"""

from django.db import migrations, models

COLUMNS = {
    "country": ("varchar(2)", models.CharField(blank=True, db_default="", max_length=2)),
    "device_type": (
        "varchar(10)",
        models.CharField(
            blank=True,
            choices=[("desktop", "Desktop"), ("mobile", "Mobile"), ("tablet", "Tablet"), ("other", "Other")],
            db_default="",
            max_length=10,
        ),
    ),
    "os": ("varchar(50)", models.CharField(blank=True, db_default="", max_length=50, verbose_name="operating system")),
    "browser": ("varchar(50)", models.CharField(blank=True, db_default="", max_length=50)),
}


def add_column(name, column_type, field):
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE tracker_click ADD COLUMN {name} {column_type} DEFAULT '' NOT NULL",
                f"ALTER TABLE tracker_click DROP COLUMN {name}",
            )
        ],
        state_operations=[migrations.AddField(model_name="click", name=name, field=field)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0006_link_account"),
        ("tracker", "0007_click_internal_verdict"),
    ]

    operations = [
        *(add_column(name, column_type, field) for name, (column_type, field) in COLUMNS.items()),
        migrations.AddIndex(
            model_name="click",
            index=models.Index(condition=models.Q(("device_type", "")), fields=["id"], name="click_not_described"),
        ),
    ]
