from django.db import migrations, models

# The worker rewrites a link's click counters after each of its clicks. With PostgreSQL's default
# (vacuum after 20 % of the rows changed) the links table keeps tens of thousands of dead rows and
# a visibility map the planner believes complete between two passes, and every count over the
# links (the list's total, the accounts) fetches each row from the heap: 10 ms become 200+.
VACUUM_LINKS_OFTEN = (
    "ALTER TABLE links_link SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)"
)
VACUUM_LINKS_BY_DEFAULT = (
    "ALTER TABLE links_link RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
)


def vacuum_links_often(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VACUUM_LINKS_OFTEN)


def vacuum_links_by_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VACUUM_LINKS_BY_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0007_icp_spelling"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["last_human_click_at"], name="link_last_human_click"),
        ),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["last_click_at"], name="link_last_click"),
        ),
        migrations.RunPython(vacuum_links_often, vacuum_links_by_default),
    ]
