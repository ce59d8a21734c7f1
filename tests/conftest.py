"""Fixtures shared by the whole suite: an operator with an API token, and storage settings."""

import os

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from access.models import ApiToken, Scope
from access.roles import EDITOR, assign_role
from links.tracking_domains import remember_domains


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """whitenoise's manifest storage needs collectstatic; tests render pages without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's 1M iterations cost ~1 s per test user; the tests don't measure hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_host_store_and_spool(settings, tmp_path):
    """Each test gets its own destination store, miss counters and held-click spool, and a
    redirect that has seen no database failure yet."""
    from tracker.database_guard import forget_database_failures
    from tracker.host_store import close_host_connection

    settings.HOST_STORE_PATH = tmp_path / "host-store.sqlite3"
    settings.HELD_CLICKS_DIR = tmp_path / "held-clicks"
    forget_database_failures()
    yield
    close_host_connection()
    forget_database_failures()


# Also for requests made while tests are collected (schemathesis loads the schema then).
remember_domains([], refresh_at=float("inf"))


@pytest.fixture(autouse=True)
def _no_tracking_domains_known():
    """Each test starts knowing no tracking domain and never re-reads them on a timer (a refresh
    query at a random moment would break pinned query counts); saving or deleting a
    TrackingDomain still makes the next request read them."""
    remember_domains([], refresh_at=float("inf"))
    yield
    remember_domains([], refresh_at=float("inf"))


@pytest.fixture
def operator(django_user_model):
    """The person running the campaigns: an editor (dashboard, delete), not staff."""
    user = django_user_model.objects.create_user(username="operator", password="s3cret-pass-phrase")
    assign_role(user, EDITOR)
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def api_token(operator):
    """The key of an admin-scoped API token (everything, as tokens were before scopes), used a
    moment ago: its next uses within a minute write nothing (pinned query counts stay exact)."""
    token, key = ApiToken.objects.create_token(operator, Scope.ADMIN, "tests")
    token.note_use()
    return key


@pytest.fixture
def api(api_token):
    """A DRF client authenticated the way Clay is: Authorization: Token <key>."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    return client


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A test that switches to French (a French browser, translation.activate) must not leave
    French on for the next test in the same process."""
    yield
    translation.deactivate()
