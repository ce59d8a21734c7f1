"""Each link's country rows are counted per country and city, so that the all-time cities figure
sums a few rows per link instead of reading every click with a city.

The rows stored so far hold a blank city. The links with a click in a city (only with a city
database, GEOIP_MMDB_PATH) are marked for a recount: the worker's next passes replace their rows
with rows per city, exactly as after a reclassification; until then their clicks count under a
blank city (the countries figure is unchanged). Without a city database there is nothing to mark.
"""

from django.db import migrations, models


def mark_links_with_cities_for_recount(apps, schema_editor):
    click_table = apps.get_model("tracker", "Click")._meta.db_table
    stale_table = apps.get_model("tracker", "StaleClickFigure")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {stale_table} (link_id) SELECT DISTINCT link_id FROM {click_table} WHERE city <> ''"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0012_merge_accented_icp_spellings"),
        ("tracker", "0014_admin_names_translated"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="linkcountrycount",
            name="link_country_count_unique",
        ),
        migrations.AddField(
            model_name="linkcountrycount",
            name="city",
            field=models.CharField(blank=True, db_default="", max_length=100),
        ),
        migrations.AddIndex(
            model_name="linkcountrycount",
            index=models.Index(
                condition=models.Q(("city", ""), _negated=True),
                fields=["city", "country", "human_clicks", "all_clicks"],
                name="link_city_count_figure",
            ),
        ),
        migrations.AddConstraint(
            model_name="linkcountrycount",
            constraint=models.UniqueConstraint(
                fields=("link", "country", "city"), name="link_country_city_count_unique"
            ),
        ),
        migrations.RunPython(mark_links_with_cities_for_recount, migrations.RunPython.noop),
    ]
