"""Public URLs of the product: where a link's tracking URL and the API live for the outside world.

PUBLIC_BASE_URL wins over the request's host: Clay and prospects reach the server through a public
name even when the request that asked for the URL came in on an internal address."""

from django.conf import settings

# The path every tracking URL starts with; answered by tracker before Django's URL resolver.
TRACKING_PATH_PREFIX = "/t/"


def public_url(request, path: str) -> str:
    """Return the absolute public URL of `path` (which starts with /). Without a request (the
    worker's webhooks) and without PUBLIC_BASE_URL, the path alone."""
    if settings.PUBLIC_BASE_URL or request is None:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


def tracking_url_prefix(request) -> str:
    """Return the tracking URL without its token. Tokens are URL-safe: a link's tracking URL is
    this prefix plus its token, unescaped."""
    return public_url(request, TRACKING_PATH_PREFIX)


def tracking_url(request, token: str) -> str:
    """Return the public tracking URL of the link with `token`."""
    return tracking_url_prefix(request) + token
