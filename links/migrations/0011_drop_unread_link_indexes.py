import django.db.models.deletion
from django.db import migrations, models

# Every index of the links table is one more write each time the worker updates a link's click
# counters (on PostgreSQL the update changes indexed columns, so every index takes a new entry).
# Two of them were never read:
# - the campaign's single-column index, which Django adds to a foreign key: link_campaign_human_clicks
#   leads with the campaign and serves the same lookups and joins;
# - on PostgreSQL, the varchar_pattern_ops copy of the token's unique index, which Django adds for
#   prefix searches (LIKE 'abc%'): no query searches tokens by prefix.
# Found by their columns rather than by name, since Django derives the names from a hash.
UNREAD_INDEX_COLUMNS = (["campaign_id"], ["token"])


def drop_unread_link_indexes(apps, schema_editor):
    link = apps.get_model("links", "Link")
    for columns in UNREAD_INDEX_COLUMNS:
        # unique=False: the token's own unique index (the redirect's lookup) stays.
        for name in schema_editor._constraint_names(link, columns, index=True, unique=False, primary_key=False):
            schema_editor.execute(schema_editor._delete_index_sql(link, name))


def create_unread_link_indexes(apps, schema_editor):
    link = apps.get_model("links", "Link")
    campaign = link._meta.get_field("campaign")
    schema_editor.execute(schema_editor._create_index_sql(link, fields=[campaign]))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(schema_editor._create_like_index_sql(link, link._meta.get_field("token")))


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0010_admin_names_translated"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="link",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="links.campaign",
                        verbose_name="campaign",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_unread_link_indexes, create_unread_link_indexes)],
        ),
    ]
