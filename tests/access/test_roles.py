"""Roles for people (viewer, editor) and how a teammate is added; existing tokens survive the
upgrade as admin tokens."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from access.models import ApiToken, hash_key
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def ensure_admin(*args):
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_the_groups_hold_exactly_their_permissions():
    """viewer reads links, campaigns and clicks; editor also adds, changes and deletes links and campaigns."""
    viewer = set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))

    assert viewer == {"view_link", "view_campaign", "view_click"}
    assert editor == {
        f"{action}_{model}" for model in ("link", "campaign") for action in ("view", "add", "change", "delete")
    } | {"view_click"}


def test_ensure_admin_adds_a_viewer_with_a_password_to_hand_over(client, django_user_model):
    """`ensure_admin --user alice --role viewer`: a new account, not staff, in the viewer group."""
    output = ensure_admin("--user", "alice", "--role", "viewer")

    alice = django_user_model.objects.get(username="alice")
    password = output.splitlines()[-1]
    assert (
        output.splitlines()[0]
        == "Created 'alice' with the viewer role. Hand over this password (it is not stored anywhere else):"
    )
    assert alice.check_password(password)
    assert (alice.is_staff, list(alice.groups.values_list("name", flat=True))) == (False, ["viewer"])


def test_an_editor_is_staff_and_a_new_role_replaces_the_old(django_user_model):
    """Re-running with another role moves the person; editors get the admin."""
    ensure_admin("--user", "alice", "--role", "viewer")

    output = ensure_admin("--user", "alice", "--role", "editor")

    alice = django_user_model.objects.get(username="alice")
    assert output.startswith("'alice' now has the editor role (password unchanged")
    assert (alice.is_staff, list(alice.groups.values_list("name", flat=True))) == (True, ["editor"])


def test_user_and_role_go_together():
    """--role without --user is a mistake, said plainly."""
    with pytest.raises(CommandError, match="--user and --role go together"):
        ensure_admin("--role", "viewer")


def test_ensure_admin_prints_an_ingest_token_for_clay_once(tmp_path, django_user_model):
    """The first run creates the admin and an ingest token, printed last and written to the credentials file."""
    credentials = tmp_path / "credentials.txt"

    output = ensure_admin("--credentials-file", str(credentials))

    key = output.splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.scope, token.name, token.key_hash) == ("ingest", "Clay", hash_key(key))
    assert f"clay ingest token: {key}" in credentials.read_text()
    again = ensure_admin("--credentials-file", str(credentials))
    assert key not in again and ApiToken.objects.count() == 1


def test_a_viewer_sees_the_dashboard_without_the_delete_action(client, django_user_model):
    """The page tells the table code whether Delete may be offered; the API refuses it anyway."""
    ensure_admin("--user", "alice", "--role", "viewer")
    ensure_admin("--user", "bob", "--role", "editor")
    link = make_link()

    client.force_login(django_user_model.objects.get(username="alice"))
    assert 'data-can-delete="false"' in client.get("/dashboard/").content.decode()
    assert client.delete(f"/api/links/{link.id}/").status_code == 403
    client.force_login(django_user_model.objects.get(username="bob"))
    assert 'data-can-delete="true"' in client.get("/dashboard/").content.decode()
    assert client.delete(f"/api/links/{link.id}/").status_code == 204


@pytest.mark.django_db(transaction=True)
def test_tokens_from_before_scopes_keep_working_as_admin_tokens(django_user_model):
    """The upgrade turns each DRF token into an admin-scoped token with the same key."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("access", None)])
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([("authtoken", "0004_alter_tokenproxy_options")]).apps
    user = django_user_model.objects.create_user(username="clay")
    old_apps.get_model("authtoken", "Token").objects.create(key="a" * 40, user_id=user.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    token = ApiToken.objects.get()
    assert (token.user_id, token.scope, token.key_prefix, token.key_hash) == (
        user.pk,
        "admin",
        "a" * 8,
        hash_key("a" * 40),
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "a" * 40)
    assert api.get("/api/links/").status_code == 200
