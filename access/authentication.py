"""`Authorization: Token <key>` for scoped API tokens (the header format DRF's TokenAuthentication uses)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from access.models import ApiToken, hash_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """Authenticate a request by an API token: request.user is the token's user, request.auth the
    ApiToken (whose scope the permission classes check). A revoked or unknown key is a 401."""

    model = ApiToken

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=hash_key(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if token.revoked:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.note_use()
        return token.user, token
