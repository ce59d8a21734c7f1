"""Who may call what on the API.

An API token is allowed by its scope alone: `ingest` creates links (POST /api/links/) and nothing
else; `read` reads (stats, campaigns, links list, lookup, export); `admin` does everything.
A logged-in person is allowed by their role's model permissions, the same rule in other words:
reading needs `links.view_link` (viewer, editor), creating `links.add_link` and deleting or any
other write `links.delete_link` (editor). Superusers have every permission.

Views say which scope an action needs with `required_scopes = {action: scope}` (DRF viewsets)
or leave it to the default: safe methods need `read`, anything else `admin`.
"""

from django.utils.translation import gettext
from rest_framework import permissions

from access.models import ApiToken, Scope

# Which token scopes satisfy a required scope.
GRANTING_SCOPES = {
    Scope.READ: {Scope.READ, Scope.ADMIN},
    Scope.INGEST: {Scope.INGEST, Scope.ADMIN},
    Scope.ADMIN: {Scope.ADMIN},
}
# The model permission a logged-in person needs for each scope.
SESSION_PERMISSIONS = {
    Scope.READ: "links.view_link",
    Scope.INGEST: "links.add_link",
    Scope.ADMIN: "links.delete_link",
}


def required_scope(request, view) -> str:
    """The scope the request needs: the view's `required_scopes` for its action, else read for
    safe methods and admin for the rest."""
    scopes = getattr(view, "required_scopes", {})
    action = getattr(view, "action", None)
    if action in scopes:
        return scopes[action]
    if request.method in scopes:
        return scopes[request.method]
    return Scope.READ if request.method in permissions.SAFE_METHODS else Scope.ADMIN


def allowed(user, token, scope) -> bool:
    """True when `token` (an ApiToken, or None for a session) or else `user` may act with `scope`."""
    if isinstance(token, ApiToken):
        return token.scope in GRANTING_SCOPES[scope]
    return user.has_perm(SESSION_PERMISSIONS[scope])


class HasScope(permissions.BasePermission):
    """The project's default permission class: authenticated, and holding the scope the request
    needs (see required_scope()). A refusal is a 403 whose message names that scope."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 (with WWW-Authenticate) to an unauthenticated request
        scope = required_scope(request, view)
        if allowed(user, request.auth, scope):
            return True
        if isinstance(request.auth, ApiToken):
            self.message = gettext(
                "This needs an API token with the %(scope)s scope; this token's scope is %(own)s."
            ) % {
                "scope": scope,
                "own": request.auth.scope,
            }
        else:
            self.message = gettext(
                "This needs the %(scope)s scope: your role does not allow it (permission %(permission)s)."
            ) % {"scope": scope, "permission": SESSION_PERMISSIONS[scope]}
        return False
