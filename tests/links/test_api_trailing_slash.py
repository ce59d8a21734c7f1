"""Every /api/ route answers with and without its trailing slash, for every method, with no redirect."""

import itertools

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from links.models import Link
from tests.factories import make_link

pytestmark = pytest.mark.django_db

CLAY_ROW = {
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@company.com",
    "ICP": "CEO",
    "campaign": "wesser-recrutement.fr",
    "destination_url": "https://wesser.fr/offre",
}


def api_routes(patterns=None, prefix=""):
    """Yield (path, allowed methods) for every route under /api/ in the URLconf, with a real id
    in place of the link id."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            view = pattern.callback
            actions = getattr(view, "actions", None)
            view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
            if actions:
                methods = {method.upper() for method in actions} & {"GET", "POST", "DELETE"}
            else:
                methods = {method.upper() for method in getattr(view_class, "http_method_names", ["get"])}
                methods = {
                    method
                    for method in methods
                    if method in ("GET", "POST", "DELETE")
                    and (view_class is None or hasattr(view_class, method.lower()))
                }
            yield route, sorted(methods)


def concrete(route, link_id):
    return "/" + route.replace("(?P<pk>[^/.]+)", str(link_id)).replace("<int:pk>", str(link_id))


def spelt(path, with_slash):
    """`path` with or without its trailing slash."""
    return path.rstrip("/") + ("/" if with_slash else "")


def test_the_walk_finds_every_api_route():
    """The walk below covers the routes Clay and the dashboard use (and the method each takes)."""
    routes = dict(api_routes())
    assert routes["api/links/"] == ["GET", "POST"]
    assert routes["api/links/(?P<pk>[^/.]+)/"] == ["DELETE", "GET"]
    assert routes["api/icp-stats"] == ["GET"]
    assert "api/export.csv" in routes
    assert "api/stats/overview/" in routes
    assert len(routes) >= 12


def test_every_api_route_answers_both_spellings_for_every_method_without_redirect(api, operator):
    """GET, POST and DELETE on each route, slash or not: the route's own 2xx, never a redirect,
    never the resolver's 404 (the docs page needs the login session, so the client has both)."""
    api.force_login(operator)
    answers = {}
    made = itertools.count()
    for route, methods in api_routes():
        for method in methods:
            for with_slash in (True, False):
                link = make_link(email=f"{next(made)}@x.com")
                path = spelt(concrete(route, link.id), with_slash)
                if "lookup" in route:  # the lookup answers 400 without the prospect it looks for
                    path += f"?email={link.email}&campaign={link.campaign.name}"
                if method == "POST":
                    response = api.post(path, {**CLAY_ROW, "email": f"{next(made)}@post.com"}, format="json")
                else:
                    response = api.generic(method, path)
                answers[(method, path)] = response.status_code
    expected = {key: (204 if key[0] == "DELETE" else 201 if key[0] == "POST" else 200) for key in answers}
    assert answers == expected
    assert {path.endswith("/") for _, path in answers} == {True, False}


@pytest.mark.parametrize("path", ["/api/links", "/api/links/"])
def test_a_post_without_trailing_slash_creates_the_link(api, path):
    """Clay's URL without the slash: 201 with the tracking URL, the link stored (no redirect to the list)."""
    response = api.post(path, CLAY_ROW, format="json")

    assert response.status_code == 201
    assert response.json()["tracking_url"] == f"http://testserver/t/{Link.objects.get().token}"


@pytest.mark.parametrize("path", ["/api/links/1", "/api/links/1/"])
def test_a_delete_without_trailing_slash_deletes_the_link(api, path):
    link = make_link()
    response = api.delete(path.replace("1", str(link.id)))

    assert response.status_code == 204
    assert not Link.objects.exists()


@pytest.mark.parametrize("path", ["/api/icp-stats", "/api/icp-stats/"])
def test_icp_stats_answers_both_spellings(api, path):
    make_link(icp="CEO")
    assert api.get(path).status_code == 200


def test_a_post_to_a_misspelt_api_route_answers_json_404_not_a_redirect(api):
    """A route that does not exist either way is a JSON 404 naming the path."""
    response = api.post("/api/linkz", CLAY_ROW, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "There is no API route at /api/linkz. The routes are listed at /api/docs/."}
