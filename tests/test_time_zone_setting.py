"""TIME_ZONE defaults to the host's zone, read from the system; nonsense stops the server."""

import os
import subprocess
import sys

import pytest

from linktracker.settings import host_time_zone


def test_tz_wins_when_it_names_a_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", ":Europe/Paris")
    (tmp_path / "timezone").write_text("America/New_York\n")

    assert host_time_zone(tmp_path) == "Europe/Paris"


def test_etc_timezone_is_read_on_debian(tmp_path, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    (tmp_path / "timezone").write_text("Europe/Paris\n")

    assert host_time_zone(tmp_path) == "Europe/Paris"


def test_the_localtime_link_names_the_zone_elsewhere(tmp_path, monkeypatch):
    """systemd and macOS: /etc/localtime -> /usr/share/zoneinfo/Europe/Paris."""
    monkeypatch.setenv("TZ", "not a zone")
    (tmp_path / "localtime").symlink_to("/usr/share/zoneinfo/America/Sao_Paulo")

    assert host_time_zone(tmp_path) == "America/Sao_Paulo"


def test_utc_when_the_system_says_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)

    assert host_time_zone(tmp_path) == "UTC"


def settings_time_zone(**env):
    """TIME_ZONE as a fresh process reads it, or the error it stops with."""
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.TIME_ZONE)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "linktracker.settings", **env},
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC", "Asia/Kolkata"])
def test_time_zone_from_the_environment_is_used(name):
    assert settings_time_zone(TIME_ZONE=name) == name


def test_a_time_zone_that_does_not_exist_stops_the_server_with_a_clear_error():
    assert settings_time_zone(TIME_ZONE="Paris") == (
        "django.core.exceptions.ImproperlyConfigured: TIME_ZONE must be a time zone name such as "
        "Europe/Paris or UTC, not 'Paris'"
    )
