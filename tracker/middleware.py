"""Answers tracking URLs before the rest of the middleware chain runs."""

from links.public_urls import TRACKING_PATH_PREFIX
from tracker.views import follow_link


class TrackingRedirectMiddleware:
    """Serve everything under /t/ directly, as whitenoise does for static files: the redirect
    needs no session, user, CSRF or message handling, and skipping them is most of its speed.
    A path no token can match (/t/, /t/a/b) is an unknown token like any other: same 404 page,
    same no-store, same miss counter.

    Under gunicorn, linktracker.fast_path answers /t/ before Django's request cycle and this never
    runs; it is the path for runserver, ASGI and Django's test client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(TRACKING_PATH_PREFIX):
            return follow_link(request, path[len(TRACKING_PATH_PREFIX) :])
        return self.get_response(request)
