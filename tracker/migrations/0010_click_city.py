"""Each click's city, resolved at click time from the operator's city database (GEOIP_MMDB_PATH).

A plain ALTER TABLE ... ADD COLUMN on both databases, as for the country (0008): Django's SQLite
schema editor would rebuild tracker_click for a NOT NULL column; the constant default keeps the
ADD COLUMN instant on PostgreSQL. Existing clicks start without a city: `manage.py describe_clicks`
fills it where the full address was kept.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_link_facet_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE tracker_click ADD COLUMN city varchar(100) DEFAULT '' NOT NULL",
                    "ALTER TABLE tracker_click DROP COLUMN city",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="click",
                    name="city",
                    field=models.CharField(blank=True, db_default="", max_length=100),
                )
            ],
        ),
    ]
