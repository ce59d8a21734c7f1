"""Answers tracking URLs before the rest of the middleware chain runs."""
from tracker.views import follow_link

TRACKING_PREFIX = "/t/"


class TrackingRedirectMiddleware:
    """Serve /t/<token> directly, as whitenoise does for static files: the redirect needs no
    session, user, CSRF or message handling, and skipping them is most of its speed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(TRACKING_PREFIX):
            token = path[len(TRACKING_PREFIX):]
            if token and "/" not in token:
                return follow_link(request, token)
        return self.get_response(request)
