"""Fixtures of the security suite."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The operator fixture hashes a password for every test; PBKDF2's 1M rounds would cost this
    suite about a minute and prove nothing about security."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
