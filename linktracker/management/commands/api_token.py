"""Create, show, revoke and list the API tokens Clay and other clients send as `Authorization: Token <key>`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

KEY_PREFIX_LENGTH = 8


class Command(BaseCommand):
    help = (
        "Manage API tokens: `create USERNAME [--create-user]`, `show USERNAME`, `revoke USERNAME`, `list`. "
        "A user has at most one token; revoke it and create a new one to rotate it."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "show", "revoke", "list"])
        parser.add_argument("username", nargs="?")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="With create: make the user first if it does not exist (an API-only user, no password).",
        )

    def handle(self, *args, action, username, create_user, **options):
        if action == "list":
            return self.list_tokens()
        if not username:
            raise CommandError(f"api_token {action} needs a username.")
        if action == "create":
            return self.create(username, create_user)
        token = Token.objects.filter(user__username=username).first()
        if token is None:
            raise CommandError(f"User {username!r} has no API token.")
        if action == "show":
            self.stdout.write(token.key)
        else:
            token.delete()
            self.stdout.write(f"Revoked the API token of {username!r}; requests with it now get 401.")

    def create(self, username, create_user):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create_user:
                raise CommandError(f"User {username!r} does not exist; add --create-user to create it.")
            user = User.objects.create_user(username=username)  # no usable password: API access only
            self.stdout.write(f"Created user {username!r} (API only, no password).")
        if Token.objects.filter(user=user).exists():
            raise CommandError(
                f"User {username!r} already has an API token: `api_token show {username}` prints it, "
                f"`api_token revoke {username}` deletes it."
            )
        self.stdout.write(Token.objects.create(user=user).key)

    def list_tokens(self):
        tokens = Token.objects.select_related("user").order_by("user__username")
        if not tokens:
            self.stdout.write("No API tokens.")
        for token in tokens:
            self.stdout.write(
                f"{token.user.get_username()}\t{token.key[:KEY_PREFIX_LENGTH]}…\tcreated {token.created:%Y-%m-%d %H:%M}"
            )
