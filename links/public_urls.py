"""Public URLs of the product: where a link's tracking URL and the API live for the outside world.

A link whose campaign has a tracking domain gets its tracking URL on that host
(TRACKING_DOMAIN_SCHEME://HOST/t/TOKEN). Otherwise PUBLIC_BASE_URL wins over the request's host:
Clay and prospects reach the server through a public name even when the request that asked for
the URL came in on an internal address."""

from django.conf import settings

from links.tracking_domains import tracking_domain_by_id

# The path every tracking URL starts with; answered by tracker before Django's URL resolver.
TRACKING_PATH_PREFIX = "/t/"


def public_url(request, path: str) -> str:
    """Return the absolute public URL of `path` (which starts with /). Without a request (the
    worker's webhooks) and without PUBLIC_BASE_URL, the path alone."""
    if settings.PUBLIC_BASE_URL or request is None:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


def tracking_url_prefix(request, campaign=None) -> str:
    """Return the tracking URL without its token for links of `campaign` (None: no tracking
    domain). Tokens are URL-safe: a link's tracking URL is this prefix plus its token, unescaped.
    Reads the campaign's tracking_domain_id only, from the process's copy of the tracking
    domains: no query per link."""
    domain_id = getattr(campaign, "tracking_domain_id", None)
    if domain_id is not None:
        domain = tracking_domain_by_id(domain_id)
        if domain is not None:
            return f"{settings.TRACKING_DOMAIN_SCHEME}://{domain.host}{TRACKING_PATH_PREFIX}"
    return public_url(request, TRACKING_PATH_PREFIX)


def tracking_url(request, token: str, campaign=None) -> str:
    """Return the public tracking URL of the link with `token` in `campaign`."""
    return tracking_url_prefix(request, campaign) + token
