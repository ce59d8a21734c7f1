"""Each link's clicks by country and by device (tracker.facets), and their first count from the
clicks already stored: one INSERT ... SELECT ... GROUP BY per table, in the migration's transaction.
Clicks not described yet count under blank device names until the worker describes them.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNT_COUNTRIES = (
    "INSERT INTO tracker_linkcountrycount (link_id, country, human_clicks, all_clicks)"
    " SELECT link_id, country, SUM(CASE WHEN verdict = 'human' THEN 1 ELSE 0 END), COUNT(*)"
    " FROM tracker_click GROUP BY link_id, country"
)
COUNT_DEVICES = (
    "INSERT INTO tracker_linkdevicecount (link_id, device_type, os, browser, human_clicks, all_clicks)"
    " SELECT link_id, device_type, os, browser, SUM(CASE WHEN verdict = 'human' THEN 1 ELSE 0 END), COUNT(*)"
    " FROM tracker_click GROUP BY link_id, device_type, os, browser"
)


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0007_icp_spelling"),
        ("tracker", "0008_click_country_device"),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkCountryCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("country", models.CharField(blank=True, max_length=2)),
                ("human_clicks", models.PositiveIntegerField()),
                ("all_clicks", models.PositiveIntegerField()),
                (
                    "link",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="country_counts",
                        to="links.link",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["country", "human_clicks", "all_clicks"], name="link_country_count_figure")
                ],
                "constraints": [models.UniqueConstraint(fields=("link", "country"), name="link_country_count_unique")],
            },
        ),
        migrations.CreateModel(
            name="LinkDeviceCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "device_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("desktop", "Desktop"),
                            ("mobile", "Mobile"),
                            ("tablet", "Tablet"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                    ),
                ),
                ("os", models.CharField(blank=True, max_length=50, verbose_name="operating system")),
                ("browser", models.CharField(blank=True, max_length=50)),
                ("human_clicks", models.PositiveIntegerField()),
                ("all_clicks", models.PositiveIntegerField()),
                (
                    "link",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="device_counts",
                        to="links.link",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["device_type", "os", "browser", "human_clicks", "all_clicks"],
                        name="link_device_count_figure",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("link", "device_type", "os", "browser"), name="link_device_count_unique"
                    )
                ],
            },
        ),
        migrations.RunSQL(COUNT_COUNTRIES, migrations.RunSQL.noop),
        migrations.RunSQL(COUNT_DEVICES, migrations.RunSQL.noop),
    ]
