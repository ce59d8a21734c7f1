"""The server error page (handler500): a database outage answers 503 with a page that says so."""
import sys

from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, ProgrammingError
from django.http import HttpResponse, JsonResponse
from django.template import loader

DATABASE_UNAVAILABLE_MESSAGE = (
    "Link Tracker can't reach its database right now; "
    "clicks and pages will work again as soon as it is back."
)
SERVER_ERROR_MESSAGE = "Link Tracker hit an unexpected error; it has been logged."
RETRY_AFTER_SECONDS = 30


def database_unavailable(exception):
    """True when the error means the database is down, locked, read-only or full.

    Integrity, data and programming errors are bugs in how a request was handled, not an outage:
    they stay 500s so that they are noticed and fixed."""
    return isinstance(exception, (DatabaseError, InterfaceError)) and not isinstance(
        exception, (IntegrityError, DataError, ProgrammingError)
    )


def server_error(request):
    """Answer the exception being handled: 503 + Retry-After for a database outage, else 500.

    API paths get JSON `{"detail": ...}`, pages get templates/503.html or 500.html. The templates
    are rendered without a request context, so no context processor touches the database."""
    if database_unavailable(sys.exc_info()[1]):
        status, message, template = 503, DATABASE_UNAVAILABLE_MESSAGE, "503.html"
    else:
        status, message, template = 500, SERVER_ERROR_MESSAGE, "500.html"
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = HttpResponse(loader.get_template(template).render(), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
