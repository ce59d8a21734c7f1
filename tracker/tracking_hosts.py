"""What a tracking domain's host answers: tracking URLs, and nothing else.

On a host listed as a links.TrackingDomain (go.wesser-recrutement.fr), /t/<token> redirects as
everywhere; the root redirects to the domain's root_url (or answers the 404 page); an unknown or
deleted token redirects to its not_found_url (or answers the 404 page); every other path (the
dashboard, the admin, the API, the login page, the docs, static files) answers the 404 page, so
a prospect or a scanner who strips the path never meets a login form.

Served by linktracker.fast_path under gunicorn and by TrackingDomainMiddleware (first in
MIDDLEWARE) elsewhere. A tracking host never reaches Django's host validation, which is why a
new domain needs no ALLOWED_HOSTS change; every other host still does."""

from django.http import HttpResponse
from django.utils.encoding import iri_to_uri

from links.public_urls import TRACKING_PATH_PREFIX
from links.tracking_domains import KnownDomain, tracking_domain_for_host
from tracker.views import REDIRECT_HEADERS, TrackingAnswer, answer_tracking_url, not_found_page

NOT_FOUND_STATUS = 404
HTML_NOT_FOUND = (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"))


def tracking_domain_of(meta) -> KnownDomain | None:
    """Return the tracking domain a WSGI environ (or a request's META) is addressed to, or None."""
    return tracking_domain_for_host(meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""))


def answer_on_tracking_domain(meta, path: str, domain: KnownDomain) -> TrackingAnswer:
    """Answer a request to a tracking domain (see the module's docstring). Database errors
    propagate, as from answer_tracking_url()."""
    if path.startswith(TRACKING_PATH_PREFIX):
        answer = answer_tracking_url(meta, path[len(TRACKING_PATH_PREFIX) :])
        if answer.status == NOT_FOUND_STATUS and domain.not_found_url:
            return redirect_to(domain.not_found_url)
        return answer
    if path == "/" and domain.root_url:
        return redirect_to(domain.root_url)
    body = not_found_page().encode()
    return TrackingAnswer(NOT_FOUND_STATUS, [*HTML_NOT_FOUND, ("Content-Length", str(len(body)))], body)


def redirect_to(url: str) -> TrackingAnswer:
    """302 (never 301: the owner may change the page) to one of the domain's own pages."""
    return TrackingAnswer(302, [("Location", iri_to_uri(url)), *REDIRECT_HEADERS], b"")


class TrackingDomainMiddleware:
    """Answer every request to a tracking domain before the rest of the chain (sessions, CSRF,
    host validation) runs. Under gunicorn linktracker.fast_path does this first; this is the path
    for runserver, ASGI and Django's test client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        domain = tracking_domain_of(request.META)
        if domain is None:
            return self.get_response(request)
        status, headers, body = answer_on_tracking_domain(request.META, request.path_info, domain)
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response
