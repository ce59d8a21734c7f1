"""API tokens: created, shown, listed and revoked with `manage.py api_token` or in the admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def run_api_token(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_a_new_key_that_opens_the_api(operator, anonymous_api):
    """`api_token create USER` prints the key; Clay's requests with it are let in."""
    key = run_api_token("create", "operator").strip()

    assert Token.objects.get(user=operator).key == key
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous_api.get("/api/links/").status_code == 200


def test_create_refuses_an_unknown_user_unless_asked_to_create_it(django_user_model):
    """An unknown username is an error; with --create-user an API-only user (no password) is made."""
    with pytest.raises(CommandError, match="User 'clay' does not exist; add --create-user to create it."):
        run_api_token("create", "clay")
    assert not django_user_model.objects.filter(username="clay").exists()

    output = run_api_token("create", "clay", "--create-user")

    clay = django_user_model.objects.get(username="clay")
    assert not clay.has_usable_password()
    assert not clay.is_staff
    assert output == f"Created user 'clay' (API only, no password).\n{clay.auth_token.key}\n"


def test_create_refuses_a_second_token_for_the_same_user(api_token):
    """A user has one token; creating another asks to show or revoke the existing one."""
    with pytest.raises(CommandError, match="already has an API token"):
        call_command("api_token", "create", "operator")
    assert Token.objects.get().key == api_token


def test_show_prints_the_key(api_token):
    """`api_token show USER` prints the full key and nothing else."""
    assert run_api_token("show", "operator") == f"{api_token}\n"


def test_revoke_deletes_the_token_and_the_old_key_gets_401(api_token, anonymous_api):
    """After `api_token revoke USER`, the key no longer authenticates anything."""
    output = run_api_token("revoke", "operator")

    assert output == "Revoked the API token of 'operator'; requests with it now get 401.\n"
    assert not Token.objects.exists()
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    assert anonymous_api.get("/api/links/").status_code == 401


def test_show_and_revoke_explain_a_user_without_token(operator):
    """Showing or revoking a token that does not exist is an error, not a silent no-op."""
    for action in ("show", "revoke"):
        with pytest.raises(CommandError, match="User 'operator' has no API token."):
            call_command("api_token", action, "operator")


def test_list_prints_users_with_only_a_key_prefix(api_token, django_user_model):
    """`api_token list` names each user with a token and only the first 8 characters of the key."""
    django_user_model.objects.create_user(username="no-token")

    output = run_api_token("list")

    assert output.startswith(f"operator\t{api_token[:8]}…\tcreated ")
    assert api_token not in output
    assert "no-token" not in output
    assert output.count("\n") == 1


def test_list_says_when_there_are_no_tokens():
    """With no token at all, list says so."""
    assert run_api_token("list") == "No API tokens.\n"


def test_an_admin_adds_and_deletes_a_token_in_the_admin(admin_client, operator, anonymous_api):
    """DRF's token admin creates a token for a user and deletes it again."""
    response = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": operator.pk})

    assert response.status_code == 302
    key = Token.objects.get(user=operator).key
    assert key in admin_client.get("/admin/authtoken/tokenproxy/").content.decode()

    response = admin_client.post(f"/admin/authtoken/tokenproxy/{operator.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Token.objects.filter(user=operator).exists()
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous_api.get("/api/links/").status_code == 401
