"""Production settings pass Django's deployment checklist with zero warnings."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECRET_KEY": "k7Qf2w9Z-production-like-secret-key-of-sixty-characters-x81Lp",
    "ALLOWED_HOSTS": "go.example.com",
    "PUBLIC_BASE_URL": "https://go.example.com",
}


def test_manage_py_check_deploy_passes_with_the_documented_production_settings(tmp_path):
    """`manage.py check --deploy --fail-level WARNING` exits 0 with no issue at all."""
    # The suite's conftest allows async-unsafe ORM calls for Playwright; production never does.
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION_ENV, VAR_DIR=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"
