"""Error answers: the server error page (handler500: a database outage answers 503 with a page
that says so) and the 400/403/404 handlers, which answer JSON under /api/."""

import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, ProgrammingError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from links.serializers import MAX_LINKS_PER_REQUEST
from linktracker.middleware import API_PATH_PREFIX

DATABASE_UNAVAILABLE_MESSAGE = (
    "Link Tracker can't reach its database right now; clicks and pages will work again as soon as it is back."
)
SERVER_ERROR_MESSAGE = "Link Tracker hit an unexpected error; it has been logged."
RETRY_AFTER_SECONDS = 30


# SQLSTATEs of a transaction that lost a race with another one (deadlock, serialization
# failure): the database is fine, the request was unlucky.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def database_unavailable(exception):
    """True when the error means the database is down, locked, read-only or full.

    Integrity, data and programming errors are bugs in how a request was handled, not an outage:
    they stay 500s so that they are noticed and fixed; so is a deadlock or a serialization
    failure between two requests."""
    return (
        isinstance(exception, (DatabaseError, InterfaceError))
        and not isinstance(exception, (IntegrityError, DataError, ProgrammingError))
        and getattr(exception.__cause__, "sqlstate", None) not in CONFLICT_SQLSTATES
    )


OUTAGE_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def error_page(outage):
    """Return the HTML body of the 503 page (a database outage) or of the 500 page: rendered without
    a request context, so no context processor touches the database. Used for Django's pages
    (server_error) and for tracking URLs at the WSGI layer (linktracker.fast_path)."""
    return loader.get_template("503.html" if outage else "500.html").render().encode()


def server_error(request):
    """Answer the exception being handled: 503 + Retry-After for a database outage, else 500;
    API paths get JSON `{"detail": ...}`, pages the HTML page."""
    outage = database_unavailable(sys.exc_info()[1])
    status, message = (503, DATABASE_UNAVAILABLE_MESSAGE) if outage else (500, SERVER_ERROR_MESSAGE)
    headers = OUTAGE_HEADERS if outage else None
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, headers=headers)
    return HttpResponse(error_page(outage), status=status, headers=headers)


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, with JSON nested deeper than Python's recursion limit (1,000 levels fit
    in 2 KB) answered as a 400 instead of a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(gettext("JSON parse error - nested too deeply.")) from None


ERROR_RESPONSES = {
    "400": (
        "The request was refused: messages per field (for a list of prospects, one object per row, "
        '{} for good rows), or {"detail": ...} for a body that is not JSON.',
        "ValidationErrors",
    ),
    "401": ("No credentials, or a wrong or revoked token.", "ErrorDetail"),
    "403": (
        "Authenticated, but not allowed: the token's scope (ingest, read, admin) or the person's role does not cover "
        "this call (the message names the scope needed), or a session without its CSRF token.",
        "ErrorDetail",
    ),
    "404": ("No such object or page.", "ErrorDetail"),
    "503": (DATABASE_UNAVAILABLE_MESSAGE + " Comes with Retry-After.", "ErrorDetail"),
}
ERROR_SCHEMAS = {
    "ErrorDetail": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    "ValidationErrors": {
        "oneOf": [
            {"type": "object", "additionalProperties": True},
            {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        ]
    },
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error answers every API operation can give.

    400 where the operation takes input, 401/403 where it needs credentials, 404 where it takes an
    id or a page number, 503 everywhere. Responses an operation documents itself are kept."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            codes = ["503"]
            if parameters or "requestBody" in operation:
                codes.append("400")
            if operation.get("security"):
                codes += ["401", "403"]
            if any(place == "path" for place, _ in parameters) or ("query", "page") in parameters:
                codes.append("404")
            for code in sorted(codes):
                description, schema = ERROR_RESPONSES[code]
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                    },
                )
    return result


def is_api_request(request) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def refused_host_message(request) -> str:
    """Say which host was refused and the setting that lets it in."""
    host = request.META.get("HTTP_HOST", "")[:200]
    return _(
        "This server does not answer to the host %(host)s. Add it to the ALLOWED_HOSTS setting "
        "(comma-separated, e.g. ALLOWED_HOSTS=127.0.0.1,localhost,%(host)s) and restart the server; "
        "set PUBLIC_BASE_URL too if tracking URLs must use this name."
    ) % {"host": host or _("(none)")}


def body_too_large_message() -> str:
    return _(
        "The request body is larger than this server accepts: %(limit)s bytes (the API_MAX_BODY_BYTES "
        "setting). Split the list of links into several requests (at most %(links)s links each, and "
        "under that size), or raise API_MAX_BODY_BYTES."
    ) % {
        "limit": number_format(settings.API_MAX_BODY_BYTES, force_grouping=True),
        "links": number_format(MAX_LINKS_PER_REQUEST, force_grouping=True),
    }


def too_many_fields_message() -> str:
    return _(
        "The form sent more fields than this server accepts (%(limit)s, the MAX_FORM_FIELDS setting): "
        "select fewer rows, or raise MAX_FORM_FIELDS."
    ) % {"limit": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)}


def bad_request(request, exception):
    """handler400: a refused host names ALLOWED_HOSTS, a body over the limit answers 413 naming
    API_MAX_BODY_BYTES and how to split, too many form fields names MAX_FORM_FIELDS; under /api/
    every answer is JSON `{"detail": ...}`."""
    status, message = 400, None
    if isinstance(exception, DisallowedHost):
        message = refused_host_message(request)
    elif isinstance(exception, RequestDataTooBig):
        status, message = 413, body_too_large_message()
    elif isinstance(exception, TooManyFieldsSent):
        message = too_many_fields_message()
    if is_api_request(request):
        return JsonResponse({"detail": message or _("Bad request.")}, status=status)
    if message:
        page = loader.render_to_string("400_explained.html", {"message": message})
        return HttpResponse(page, status=status)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """handler403: JSON under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """handler404: under /api/, JSON naming the path and where the routes are listed."""
    if is_api_request(request):
        message = _("There is no API route at %(path)s. The routes are listed at /api/docs/.") % {
            "path": request.path[:300]
        }
        return JsonResponse({"detail": message}, status=404)
    return defaults.page_not_found(request, exception)
