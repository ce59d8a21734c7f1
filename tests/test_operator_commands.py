"""What scripts/run and the project's commands tell an operator: commands that work as printed."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent


def test_ensure_admin_names_commands_with_the_virtualenvs_python(tmp_path):
    """A second run says how to reset the password and make a new Clay token, with .venv/bin/python."""
    call_command("ensure_admin", credentials_file=str(tmp_path / "credentials.txt"), stdout=StringIO())
    output = StringIO()

    call_command("ensure_admin", credentials_file=str(tmp_path / "credentials.txt"), stdout=output)

    credentials = tmp_path / "credentials.txt"
    assert output.getvalue() == (
        "Admin user 'admin' already exists (password unchanged; reset it with: "
        ".venv/bin/python manage.py changepassword admin).\n"
        f"Clay's ingest token exists: its key is in {credentials} when this command created it (keys are "
        "shown only once). A new one: .venv/bin/python manage.py api_token create admin --scope ingest --name Clay\n"
    )


def test_the_printed_command_runs_as_printed(tmp_path):
    """The virtualenv's python, from the project's folder: `api_token list` answers without error."""
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "help", "api_token"], cwd=PROJECT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_time_zone_says_the_zone_and_how_to_change_it(settings, monkeypatch):
    monkeypatch.delenv("TIME_ZONE", raising=False)
    settings.TIME_ZONE = "Europe/Paris"
    output = StringIO()

    call_command("time_zone", stdout=output)

    assert output.getvalue() == (
        "Times are shown in Europe/Paris (the time zone of this machine). To use another zone, set "
        "TIME_ZONE, e.g. TIME_ZONE=Europe/Paris scripts/run\n"
    )


def test_time_zone_says_when_time_zone_chose_it(settings, monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Asia/Kolkata")
    settings.TIME_ZONE = "Asia/Kolkata"
    output = StringIO()

    call_command("time_zone", stdout=output)

    assert output.getvalue().startswith("Times are shown in Asia/Kolkata (set by TIME_ZONE).")


def test_scripts_run_help_lists_demo_and_dev():
    result = subprocess.run(["scripts/run", "--help"], cwd=PROJECT, capture_output=True, text=True)

    assert result.returncode == 0
    assert "scripts/run --demo" in result.stdout
    assert "scripts/run --dev      serve with Django's runserver, which reloads on every code change" in result.stdout


def test_scripts_run_refuses_an_unknown_option_saying_how_to_get_help():
    result = subprocess.run(["scripts/run", "--demoo"], cwd=PROJECT, capture_output=True, text=True)

    assert result.returncode == 2
    assert result.stderr == "scripts/run: unknown option --demoo (try scripts/run --help)\n"
