"""Make sure an admin user exists and Clay has an `ingest` token; add teammates with a role."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from access.models import ApiToken, Scope
from access.roles import ROLES, assign_role, ensure_role_groups
from linktracker.management import manage_py

CLAY_TOKEN_NAME = "Clay"


class Command(BaseCommand):
    help = _(
        "Create the admin user (random password) and an `ingest` API token for Clay if missing, and "
        "print where they are. With --user NAME --role viewer|editor: add (or re-role) a teammate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help=_("The admin user's name."))
        parser.add_argument(
            "--credentials-file",
            default=str(settings.VAR_DIR / "admin-credentials.txt"),
            help=_("Where a newly created password and the Clay token are written (mode 600)."),
        )
        parser.add_argument("--user", help=_("A teammate to add or update (with --role)."))
        parser.add_argument("--role", choices=ROLES, help=_("The teammate's role."))
        parser.add_argument("--email", default="", help=_("The teammate's e-mail."))

    def handle(self, *args, username, credentials_file, user, role, email, **options):
        ensure_role_groups()
        if user or role:
            if not (user and role):
                raise CommandError(_("--user and --role go together, e.g. --user alice --role viewer."))
            return self.add_teammate(user, role, email)
        return self.ensure_admin(username, credentials_file)

    def add_teammate(self, username, role, email):
        User = get_user_model()
        teammate = User.objects.filter(username=username).first()
        password = None
        if teammate is None:
            password = secrets.token_urlsafe(12)
            teammate = User.objects.create_user(username=username, email=email, password=password)
        assign_role(teammate, role)
        if password is None:
            self.stdout.write(
                _(
                    "%(user)r now has the %(role)s role (password unchanged; reset it with: python manage.py changepassword %(user)s)."
                )
                % {"user": username, "role": role}
            )
        else:
            self.stdout.write(
                _("Created %(user)r with the %(role)s role. Hand over this password (it is not stored anywhere else):")
                % {"user": username, "role": role}
            )
            self.stdout.write(password)

    def ensure_admin(self, username, credentials_file):
        User = get_user_model()
        admin = User.objects.filter(username=username).first()
        password = None
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(self.style.SUCCESS(_("Created admin user %r.") % username))
        clay_key = None
        if not ApiToken.objects.active().filter(user=admin, scope=Scope.INGEST).exists():
            _token, clay_key = ApiToken.objects.create_token(admin, Scope.INGEST, CLAY_TOKEN_NAME)

        if password is not None or clay_key is not None:
            lines = []
            if password is not None:
                lines += [f"username: {username}", f"password: {password}"]
            if clay_key is not None:
                lines.append(f"clay ingest token: {clay_key}")
            with open(credentials_file, "a") as credentials:
                credentials.write("\n".join(lines) + "\n")
            os.chmod(credentials_file, 0o600)
            self.stdout.write(_("Credentials written to %s") % credentials_file)
        if password is None:
            self.stdout.write(
                _("Admin user %(user)r already exists (password unchanged; reset it with: %(reset)s).")
                % {"user": username, "reset": manage_py(f"changepassword {username}")}
            )
        if clay_key is not None:
            self.stdout.write(_("API token for Clay (scope ingest: creates links, reads nothing):"))
            self.stdout.write(clay_key)
        else:
            self.stdout.write(
                _(
                    "Clay's ingest token exists: its key is in %(file)s when this command created it (keys are "
                    "shown only once). A new one: %(create)s"
                )
                % {
                    "file": credentials_file,
                    "create": manage_py(f"api_token create {username} --scope ingest --name Clay"),
                }
            )
