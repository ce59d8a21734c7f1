"""Each link's account (filled from its e-mail) and the forwarding evidence the worker keeps.

The NOT NULL columns are added with a plain ALTER TABLE ... ADD COLUMN ... DEFAULT on both
databases: Django's SQLite schema editor would rebuild links_link for them, and SQLite refuses to
drop and rename a table that the click triggers (tracker_click) refer to. The nullable times need
no default, so Django adds them in place on its own.
"""

from django.db import migrations, models

from links.accounts import account_of

BATCH_SIZE = 2000

NOT_NULL_COLUMNS = {
    "account": ("varchar(254) DEFAULT '' NOT NULL", models.CharField(blank=True, editable=False, max_length=254)),
    "shared": (
        "boolean DEFAULT false NOT NULL",
        models.BooleanField(default=False, editable=False, verbose_name="forwarded or shared"),
    ),
    "shared_devices": (
        "integer DEFAULT 0 NOT NULL CHECK (shared_devices >= 0)",
        models.PositiveIntegerField(
            default=0, editable=False, verbose_name="devices (user agents) of its human clicks"
        ),
    ),
    "shared_networks": (
        "integer DEFAULT 0 NOT NULL CHECK (shared_networks >= 0)",
        models.PositiveIntegerField(default=0, editable=False, verbose_name="networks of its human clicks"),
    ),
}


def add_column(name, definition, field):
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE links_link ADD COLUMN {name} {definition}",
                f"ALTER TABLE links_link DROP COLUMN {name}",
            )
        ],
        state_operations=[migrations.AddField(model_name="link", name=name, field=field)],
    )


def fill_accounts(apps, schema_editor):
    """Give every existing link its account, in batches (bulk_update, never one query per link)."""
    Link = apps.get_model("links", "Link")
    links = Link.objects.order_by("pk").only("pk", "email")
    last_pk = 0
    while batch := list(links.filter(pk__gt=last_pk)[:BATCH_SIZE]):
        for link in batch:
            link.account = account_of(link.email)
        Link.objects.bulk_update(batch, ["account"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0005_tracking_domain"),
    ]

    operations = [
        *(add_column(name, definition, field) for name, (definition, field) in NOT_NULL_COLUMNS.items()),
        migrations.AddField(
            model_name="link",
            name="shared_first_click_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="first human click seen for sharing"),
        ),
        migrations.AddField(
            model_name="link",
            name="shared_last_click_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="last human click seen for sharing"),
        ),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(fields=["account", "created_at"], name="link_account_created"),
        ),
        migrations.RunPython(fill_accounts, migrations.RunPython.noop),
    ]
