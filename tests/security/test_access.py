"""Nobody let in: every route of the URLconf refuses an anonymous visitor unless it is on the
public allow-list below (the login pages, the OpenAPI schema). The click path (/t/) is public by
design and answered before the URLconf (tracker.middleware, linktracker.fast_path)."""

import re
import re._constants as sre
import re._parser as sre_parse

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

# Public on purpose; anything else answering an anonymous GET with a page is a leak.
PUBLIC_ROUTES = {
    "accounts/login/": "the login page",
    "admin/login/": "the admin's login page",
    "admin/logout/": "logging out: an anonymous visitor is only sent back to the admin's login",
    "api/schema/": "the OpenAPI schema describes the API's shape, none of its data (Clay users read it)",
    "i18n/setlang/": "the language switch only sets a cookie and redirects to a page of this site",
    "": "the home page only redirects to the dashboard, which asks for a login",
}
REFUSALS = {401, 403, 404, 405}
LOGIN_PAGES = ("/accounts/login/?next=", "/admin/login/?next=")
CONVERTER_SAMPLES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "path": "sample/path",
    "uuid": "12345678-1234-5678-1234-567812345678",
}


def routes(resolver=None, prefix=""):
    """Yield (route as written, concrete path) for every URLPattern, walking nested resolvers."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        written = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, prefix + sample_path(entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            yield written.removeprefix("^"), prefix + sample_path(entry.pattern)


def sample_path(pattern):
    """A concrete path matching one pattern: converter samples for path(), a generated match for re_path()."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_SAMPLES[m.group(1) or "str"], str(pattern))
    return "".join(sample_text(sre_parse.parse(pattern.regex.pattern)))


def sample_text(parsed):
    """Yield the shortest plain text matching a parsed regex (first branch, one repetition)."""
    for op, arg in parsed:
        if op is sre.LITERAL:
            yield chr(arg)
        elif op is sre.SUBPATTERN:
            yield from sample_text(arg[-1])
        elif op is sre.BRANCH:
            yield from sample_text(arg[1][0])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _, item = arg
            for _ in range(max(low, 1)):
                yield from sample_text(item)
        elif op in (sre.IN, sre.ANY, sre.NOT_LITERAL, sre.CATEGORY):
            yield next(c for c in "1a" if re.fullmatch(sre_parse_to_regex(op, arg), c))
        elif op is not sre.AT:
            raise AssertionError(f"teach sample_text about {op}")


def sre_parse_to_regex(op, arg):
    if op is sre.ANY:
        return "."
    if op is sre.NOT_LITERAL:
        return f"[^{re.escape(chr(arg))}]"
    if op is sre.CATEGORY:
        return {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w"}.get(arg, ".")
    negate = "^" if (sre.NEGATE, None) in arg else ""
    parts = []
    for kind, value in arg:
        if kind is sre.LITERAL:
            parts.append(re.escape(chr(value)))
        elif kind is sre.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is sre.CATEGORY:
            parts.append({sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w"}.get(value, r"\s"))
    return f"[{negate}{''.join(parts)}]"


ALL_ROUTES = sorted(set(routes()))


def test_the_walk_covers_every_part_of_the_project():
    """The URLconf walk reaches the click path, the API, the dashboard, the docs and the admin."""
    written = {route for route, _ in ALL_ROUTES}
    for expected in (
        "api/icp-stats",
        "api/export.csv",
        "api/docs/",
        "api/schema/",
        "dashboard/",
        "accounts/login/",
        "admin/",
    ):
        assert expected in written
    assert any(route.startswith("api/^links/") for route in written)
    assert any(route.startswith("api/^stats/overview/") for route in written)
    assert any(route.startswith("admin/links/") for route in written)


@pytest.mark.parametrize(("route", "path"), ALL_ROUTES, ids=[route or "/" for route, _ in ALL_ROUTES])
def test_an_anonymous_get_is_refused_everywhere_but_on_the_public_allow_list(client, route, path):
    """401/403/404/405 or a redirect to a login page, unless the route is public on purpose."""
    client.raise_request_exception = False
    response = client.get("/" + path)

    if route in PUBLIC_ROUTES:
        assert response.status_code < 500
    elif response.status_code == 302:
        assert response["Location"].startswith(LOGIN_PAGES)
    else:
        assert response.status_code in REFUSALS


@pytest.mark.parametrize(
    "route",
    [
        "api/links/",
        "api/icp-stats",
        "api/stats/overview/",
        "api/stats/funnel/",
        "api/stats/icp-metrics/",
        "api/stats/heatmap/",
        "api/stats/timeline/",
        "api/stats/top-clickers/",
        "api/campaigns/",
        "api/export.csv",
        "api/links/1/",
    ],
)
def test_the_api_answers_anonymous_calls_with_401_and_how_to_authenticate(anonymous_api, route):
    """Every data endpoint answers 401 with `WWW-Authenticate: Token`, for reads and writes alike."""
    for method in ("get", "post", "delete"):
        response = getattr(anonymous_api, method)("/" + route)
        assert response.status_code == 401, method
        assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(anonymous_api):
    """A made-up token is a 401, not an anonymous pass."""
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert anonymous_api.post("/api/links/", {}, format="json").status_code == 401


def test_the_schema_is_public_and_the_docs_ask_for_a_login(client):
    """/api/schema/ answers anyone; /api/docs/ (Swagger UI) redirects to the login page."""
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/docs/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/api/docs/")


def test_the_dashboard_and_the_admin_ask_for_a_login(client):
    """The dashboard and the admin redirect an anonymous visitor to their login pages."""
    assert client.get("/dashboard/")["Location"] == "/accounts/login/?next=/dashboard/"
    assert client.get("/admin/links/link/")["Location"] == "/admin/login/?next=/admin/links/link/"
