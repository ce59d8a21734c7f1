"""Tracking URLs answered at the WSGI layer, before Django's request cycle.

At a few thousand clicks a second, what Django does around a view (WSGIRequest, the
request_started/request_finished signals, the handler and middleware wrappers, building and
closing an HttpResponse) costs more CPU than the redirect's two SQL statements. So gunicorn's
application (linktracker.wsgi) is Django's wrapped in TrackingLinksApp, the way whitenoise's WSGI mode
serves static files: paths under /t/ go straight to tracker.views.answer_tracking_url(), every
other path to Django. Where this wrapper is not in front (runserver, ASGI, Django's test client),
tracker.middleware.TrackingRedirectMiddleware gives the same answers through the same function.
"""

import logging
from http import HTTPStatus

from django.db import DEFAULT_DB_ALIAS, connections

from links.public_urls import TRACKING_PATH_PREFIX
from linktracker.errors import OUTAGE_HEADERS, SERVER_ERROR_MESSAGE, database_unavailable, error_page
from tracker.tracking_hosts import answer_on_tracking_domain, tracking_domain_of
from tracker.views import TrackingAnswer, answer_tracking_url

# Django logs the server errors it handles here; alerting set up on it sees ours too.
logger = logging.getLogger("django.request")

STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}
SERVER_ERROR_BODY = SERVER_ERROR_MESSAGE.encode()


class TrackingLinksApp:
    """A WSGI application: tracking URLs answered here, everything else by `django_app`."""

    def __init__(self, django_app):
        self.django_app = django_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        domain = tracking_domain_of(environ)
        if domain is None and not path.startswith(TRACKING_PATH_PREFIX):
            return self.django_app(environ, start_response)
        try:
            if domain is not None:  # a tracking domain's host: tracking URLs and nothing else
                status, headers, body = answer_on_tracking_domain(environ, path, domain)
            else:
                status, headers, body = answer_tracking_url(environ, path[len(TRACKING_PATH_PREFIX) :])
        except Exception as exception:
            status, headers, body = error_answer(exception, path)
        finally:
            end_of_request()
        start_response(STATUS_LINES[status], headers)
        return [body]


def end_of_request():
    """Do what Django's request_finished signal does for what a tracking URL uses: drop the
    database connection if it is past CONN_MAX_AGE or broken by an error. (request_started checks
    the same; once per request is enough here, and find_link() already survives a connection that
    died in between.) The cache backends a tracking URL may use (Redis, local memory) keep nothing
    to close per request."""
    connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()


def error_answer(exception, path):
    """Answer an exception as linktracker.errors.server_error does for pages: a database outage is
    the 503 page with Retry-After, anything else a plain 500 without details. Both are logged."""
    if database_unavailable(exception):
        logger.exception("Service Unavailable: %s", path)
        body = error_page(outage=True)
        return TrackingAnswer(
            503,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                *OUTAGE_HEADERS.items(),
                ("Content-Length", str(len(body))),
            ],
            body,
        )
    logger.exception("Internal Server Error: %s", path)
    return TrackingAnswer(
        500,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(SERVER_ERROR_BODY))),
        ],
        SERVER_ERROR_BODY,
    )
