"""API tokens: scoped, created with `manage.py api_token` or in the admin, listed by key prefix,
revoked; the key is shown once and stored hashed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from access.models import ApiToken, hash_key, new_key
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def run_api_token(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_on_the_last_line_and_stores_only_its_hash(operator, anonymous_api):
    """`api_token create USER --scope read` prints the key last; the database keeps its SHA-256."""
    output = run_api_token("create", "operator", "--scope", "read", "--name", "reporting")
    key = output.splitlines()[-1]

    token = ApiToken.objects.get()
    assert (token.user, token.scope, token.name, token.key_prefix) == (operator, "read", "reporting", key[:8])
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert len(key) == 43
    assert output.splitlines()[0] == (
        f"Created the read token reporting ({key[:8]}…) for 'operator'. Copy the key now: it is never shown again."
    )
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anonymous_api.get("/api/links/").status_code == 200


def test_create_refuses_an_unknown_user_unless_asked_to_create_it(django_user_model):
    """An unknown username is an error; with --create-user an API-only user (no password) is made."""
    with pytest.raises(CommandError, match="User 'clay' does not exist; add --create-user to create it."):
        run_api_token("create", "clay", "--scope", "ingest")
    assert not django_user_model.objects.filter(username="clay").exists()

    output = run_api_token("create", "clay", "--scope", "ingest", "--create-user", "--name", "Clay")

    clay = django_user_model.objects.get(username="clay")
    assert not clay.has_usable_password()
    assert not clay.is_staff
    assert output.splitlines()[0] == "Created user 'clay' (API only, no password)."
    assert ApiToken.objects.get(user=clay).scope == "ingest"


def test_a_user_may_hold_several_tokens_one_per_integration(operator):
    """Two creates give two tokens with different keys."""
    first = run_api_token("create", "operator", "--scope", "ingest").splitlines()[-1]
    second = run_api_token("create", "operator", "--scope", "read").splitlines()[-1]

    assert first != second
    assert sorted(ApiToken.objects.values_list("scope", flat=True)) == ["ingest", "read"]


def test_create_refuses_an_unknown_scope(operator):
    """The scope is one of ingest, read, admin."""
    with pytest.raises(CommandError, match="invalid choice: 'write'"):
        run_api_token("create", "operator", "--scope", "write")


def test_revoke_by_key_prefix_and_the_old_key_gets_401(api_token, anonymous_api):
    """After `api_token revoke PREFIX`, the key no longer authenticates anything; the row stays."""
    output = run_api_token("revoke", api_token[:8])

    assert output == f"Revoked tests ({api_token[:8]}…) of 'operator'; requests with it now get 401.\n"
    assert ApiToken.objects.get().revoked_at is not None
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    response = anonymous_api.get("/api/links/")
    assert (response.status_code, response.json()) == (401, {"detail": "This token was revoked."})


def test_a_key_never_starts_with_a_dash(monkeypatch):
    """A prefix typed after `api_token revoke` must not read as an option: a drawn key that starts
    with "-" (1 in 64) is drawn again."""
    drawn = iter(["-IVEbq0SrDopryGCH_2jxeP-uRU4LJ7C9fcbSwOmBUs", "IVEbq0SrDopryGCH_2jxeP-uRU4LJ7C9fcbSwOmBUs-"])
    monkeypatch.setattr("access.models.secrets.token_urlsafe", lambda nbytes: next(drawn))
    assert new_key() == "IVEbq0SrDopryGCH_2jxeP-uRU4LJ7C9fcbSwOmBUs-"


def test_a_prefix_that_starts_with_a_dash_is_revoked_after_a_double_dash(operator):
    """Keys made before they were drawn without a leading "-" are revoked with `revoke -- -PREFIX`."""
    token = ApiToken.objects.create(
        user=operator, scope="read", name="old", key_prefix="-IVEbq0S", key_hash=hash_key("-IVEbq0S-rest")
    )
    output = run_api_token("revoke", "--", "-IVEbq0S")
    assert output == "Revoked old (-IVEbq0S…) of 'operator'; requests with it now get 401.\n"
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoke_explains_an_unknown_prefix(api_token):
    """Revoking a prefix no active token has is an error, not a silent no-op."""
    with pytest.raises(CommandError, match="No active API token starts with 'zzzzzzzz'"):
        run_api_token("revoke", "zzzzzzzz")


def test_list_prints_key_prefixes_scopes_and_use_never_keys(api_token, django_user_model):
    """`api_token list` shows prefix, user, scope, name, dates and state, never the key."""
    output = run_api_token("list")

    assert output.startswith(f"{api_token[:8]}…\toperator\tadmin\ttests\tcreated ")
    assert "\tlast used " in output and output.endswith("\tactive\n")
    assert api_token not in output
    assert output.count("\n") == 1


def test_list_says_when_there_are_no_tokens():
    """With no token at all, list says so."""
    assert run_api_token("list") == "No API tokens.\n"


def test_last_use_is_written_at_most_once_a_minute(operator, anonymous_api):
    """The first call records last_used_at; another within a minute writes nothing."""
    token, key = ApiToken.objects.create_token(operator, "read")
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    anonymous_api.get("/api/campaigns/")
    first_use = ApiToken.objects.get().last_used_at
    anonymous_api.get("/api/campaigns/")

    assert first_use is not None
    assert ApiToken.objects.get().last_used_at == first_use
    ApiToken.objects.update(last_used_at=first_use - timedelta(minutes=2))
    anonymous_api.get("/api/campaigns/")
    assert ApiToken.objects.get().last_used_at > first_use - timedelta(seconds=1)


def test_a_token_of_an_inactive_user_is_refused(operator, anonymous_api):
    """Deactivating a person shuts their tokens too."""
    _token, key = ApiToken.objects.create_token(operator, "admin")
    operator.is_active = False
    operator.save()
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert anonymous_api.get("/api/links/").status_code == 401


def test_an_admin_creates_a_token_sees_its_key_once_and_revokes_it(admin_client, operator, anonymous_api):
    """The admin's add page answers with the key once; the revoke action shuts it."""
    response = admin_client.post(
        "/admin/access/apitoken/add/", {"user": operator.pk, "name": "Clay", "scope": "ingest"}
    )

    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get()
    assert (token.scope, token.name, token.key_hash) == ("ingest", "Clay", hash_key(key))
    assert key in response.content.decode()
    assert key not in admin_client.get("/admin/access/apitoken/").content.decode()
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    make_link()
    assert anonymous_api.post("/api/links/", {}, format="json").status_code == 400  # let in, body refused

    admin_client.post("/admin/access/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]})

    assert ApiToken.objects.get().revoked_at <= timezone.now()
    assert anonymous_api.post("/api/links/", {}, format="json").status_code == 401
