"""The partial index on the clicks with a city goes: every click stored with a city (a city database
configured) wrote an entry in it on the redirect. The all-time cities figure now sums the links'
rows per city (0015), a period reads its clicks by time like the countries (the index made it read
every click with a city, whatever the period), and whether any click has a city is asked of the
links' rows (link_city_count_figure)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0015_country_counts_by_city"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="click",
            name="click_with_city",
        ),
    ]
