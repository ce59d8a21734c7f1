"""Make sure an admin user and its API token exist; print where the credentials are."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from linktracker.management import manage_py


class Command(BaseCommand):
    help = "Create the admin user (random password) and its API token if missing; print where to find them."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--credentials-file",
            default=str(settings.VAR_DIR / "admin-credentials.txt"),
            help="Where a newly created password and the API token are written (mode 600).",
        )

    def handle(self, *args, username, credentials_file, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(self.style.SUCCESS(f"Created admin user {username!r}."))
        token, _ = Token.objects.get_or_create(user=user)

        if password is not None:
            with open(credentials_file, "w") as credentials:
                credentials.write(f"username: {username}\npassword: {password}\napi token: {token.key}\n")
            import os

            os.chmod(credentials_file, 0o600)
            self.stdout.write(f"Admin credentials and API token written to {credentials_file}")
        else:
            self.stdout.write(
                gettext(
                    "Admin user %(username)s already exists (password unchanged; reset it with: %(reset)s).\n"
                    "API token: %(show)s"
                )
                % {
                    "username": repr(username),
                    "reset": manage_py(f"changepassword {username}"),
                    "show": manage_py(f"api_token show {username}"),
                }
            )
