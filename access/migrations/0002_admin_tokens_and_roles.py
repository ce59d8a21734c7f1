"""Existing DRF tokens become `admin`-scoped API tokens (same key, so Clay keeps working), and the
viewer and editor groups are created with their permissions."""

import hashlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

from access.roles import ensure_roles


def tokens_to_admin_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("access", "ApiToken")
    for token in Token.objects.all():
        key_hash = hashlib.sha256(token.key.encode()).hexdigest()
        if not ApiToken.objects.filter(key_hash=key_hash).exists():
            created = ApiToken.objects.create(
                user_id=token.user_id,
                name="API token (before scopes)",
                scope="admin",
                key_prefix=token.key[:8],
                key_hash=key_hash,
            )
            ApiToken.objects.filter(pk=created.pk).update(created_at=token.created)
    Token.objects.all().delete()  # the keys live on, hashed, in access.ApiToken only


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("links", "0005_tracking_domain"),
        ("tracker", "0004_click_rollup"),
    ]

    operations = [
        migrations.RunPython(tokens_to_admin_tokens, migrations.RunPython.noop),
        migrations.RunPython(create_role_groups, migrations.RunPython.noop),
    ]
