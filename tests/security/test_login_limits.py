"""Login attempts are rate-limited (django-axes) so that password hashing never starves the
redirect; the dashboard session ends after inactivity."""

import pytest
from django.conf import settings as project_settings
from django.contrib.auth.models import AbstractBaseUser

pytestmark = pytest.mark.django_db

WRONG = {"username": "operator", "password": "not-the-password"}
RIGHT = {"username": "operator", "password": "s3cret-pass-phrase"}


@pytest.fixture
def password_checks(monkeypatch):
    """Count the password hashes computed."""
    calls = []
    original = AbstractBaseUser.check_password

    def counting(user, raw_password):
        calls.append(user.get_username())
        return original(user, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return calls


def test_after_five_wrong_passwords_the_login_answers_429_without_hashing(client, operator, password_checks):
    """The 6th attempt for one username from one IP is refused before any password is checked,
    even with the right password."""
    statuses = [client.post("/accounts/login/", WRONG, REMOTE_ADDR="198.51.100.7").status_code for _ in range(5)]
    hashed_before_lockout = len(password_checks)

    locked = client.post("/accounts/login/", RIGHT, REMOTE_ADDR="198.51.100.7")

    assert statuses == [200, 200, 200, 200, 429]
    assert hashed_before_lockout == 5
    assert len(password_checks) == 5
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "Too many failed login attempts. Try again in 15 minutes." in locked.content.decode()


def test_the_lockout_is_per_username_and_address(client, operator, django_user_model):
    """Another address, or another user from the same address, still logs in."""
    django_user_model.objects.create_user(username="alice", password="alice-pass-phrase-1")
    for _ in range(5):
        client.post("/accounts/login/", WRONG, REMOTE_ADDR="198.51.100.7")

    assert client.post("/accounts/login/", RIGHT, REMOTE_ADDR="203.0.113.50").status_code == 302
    other = {"username": "alice", "password": "alice-pass-phrase-1"}
    assert client.post("/accounts/login/", other, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_admin_login_is_limited_too_and_scripts_get_json(client, operator):
    """The admin's login form counts the same failures; an Accept: application/json caller gets JSON."""
    for _ in range(5):
        client.post("/admin/login/", WRONG, REMOTE_ADDR="198.51.100.7")

    response = client.post("/admin/login/", RIGHT, REMOTE_ADDR="198.51.100.7", HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed login attempts. Try again in 15 minutes."}


def test_a_forged_forwarded_address_does_not_escape_the_lockout(client, operator):
    """Without a trusted proxy, X-Forwarded-For is ignored: the socket address is what counts."""
    for n in range(5):
        client.post("/accounts/login/", WRONG, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = client.post("/accounts/login/", RIGHT, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


def test_the_session_ends_after_eight_idle_hours_and_each_request_renews_it(client, operator):
    """SESSION_IDLE_MINUTES (480 by default): the cookie lives that long after the last request."""
    assert project_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True
    client.force_login(operator)

    response = client.get("/dashboard/")

    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
