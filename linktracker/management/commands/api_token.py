"""Create, list and revoke the scoped API tokens clients send as `Authorization: Token <key>`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from access.models import KEY_PREFIX_LENGTH, ApiToken, Scope


class Command(BaseCommand):
    help = _(
        "Manage API tokens: `create USERNAME --scope ingest|read|admin [--name NAME] [--create-user]` "
        "(the key is printed once, on the last line), `list`, `revoke KEY_PREFIX`."
    )

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        create = subcommands.add_parser("create", help=_("Create a token; its key is printed once, on the last line."))
        create.add_argument("username")
        create.add_argument("--scope", required=True, choices=Scope.values)
        create.add_argument("--name", default="", help=_("What the token is for, e.g. Clay."))
        create.add_argument(
            "--create-user",
            action="store_true",
            help=_("Make the user first if it does not exist (an API-only user, no password)."),
        )
        subcommands.add_parser("list", help=_("List tokens (key prefixes only)."))
        revoke = subcommands.add_parser(
            "revoke",
            help=_("Revoke the token whose key starts with KEY_PREFIX (one that starts with - goes after --)."),
        )
        revoke.add_argument("key_prefix")

    def handle(self, *args, action, **options):
        if action == "create":
            return self.create(options["username"], options["scope"], options["name"], options["create_user"])
        if action == "list":
            return self.list_tokens()
        return self.revoke(options["key_prefix"])

    def create(self, username, scope, name, create_user):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create_user:
                raise CommandError(_("User %r does not exist; add --create-user to create it.") % username)
            user = User.objects.create_user(username=username)  # no usable password: API access only
            self.stdout.write(_("Created user %r (API only, no password).") % username)
        token, key = ApiToken.objects.create_token(user, scope, name)
        self.stdout.write(
            _("Created the %(scope)s token %(token)s for %(user)r. Copy the key now: it is never shown again.")
            % {"scope": scope, "token": token, "user": username}
        )
        self.stdout.write(key)

    def list_tokens(self):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if not tokens:
            self.stdout.write(_("No API tokens."))
        for token in tokens:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else _("never")
            state = _("revoked %s") % f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked else _("active")
            self.stdout.write(
                "\t".join(
                    [
                        f"{token.key_prefix}…",
                        token.user.get_username(),
                        token.scope,
                        token.name or "-",
                        _("created %s") % f"{token.created_at:%Y-%m-%d %H:%M}",
                        _("last used %s") % used,
                        state,
                    ]
                )
            )

    def revoke(self, key_prefix):
        # The prefix as listed (8 characters), fewer, or the whole key.
        matching = list(ApiToken.objects.active().filter(key_prefix__startswith=key_prefix[:KEY_PREFIX_LENGTH]))
        if not key_prefix or not matching:
            raise CommandError(_("No active API token starts with %r (see `api_token list`).") % key_prefix)
        if len(matching) > 1:
            raise CommandError(
                _("%(count)d active tokens start with %(prefix)r; give more characters of the key.")
                % {"count": len(matching), "prefix": key_prefix}
            )
        token = matching[0]
        token.revoke()
        self.stdout.write(
            _("Revoked %(token)s of %(user)r; requests with it now get 401.")
            % {"token": token, "user": token.user.get_username()}
        )
