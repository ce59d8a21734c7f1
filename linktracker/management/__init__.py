"""Project-wide management commands, and how their messages name a command to run."""

import sys
from pathlib import Path

from django.conf import settings


def manage_py(arguments: str) -> str:
    """Return the command line that runs `manage.py arguments` with this very Python (the
    virtualenv's, e.g. .venv/bin/python), as an operator pastes it in the project's folder."""
    python = Path(sys.executable)
    if python.is_relative_to(settings.BASE_DIR):
        python = python.relative_to(settings.BASE_DIR)
    return f"{python} manage.py {arguments}"
