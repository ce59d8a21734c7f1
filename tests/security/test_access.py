"""Nobody let in: every route of the URLconf refuses an anonymous visitor unless it is on the
public allow-list below (the login pages, the OpenAPI schema); and every route answers each
identity (roles, token scopes) exactly as ACCESS_TABLE says. The click path (/t/) is public by
design and answered before the URLconf (tracker.middleware, linktracker.fast_path)."""

import re
import re._constants as sre
import re._parser as sre_parse

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from access.models import ApiToken
from events.models import Delivery, Event, WebhookEndpoint
from events.tasks import deliver
from links.models import Link, TrackingDomain

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


# ---- Who may do what: every route, every identity ------------------------------------------------
# Identities: people by role (a session) and API tokens by scope (the Authorization header).
ANONYMOUS, VIEWER, EDITOR, SUPERUSER = "anonymous", "viewer", "editor", "superuser"
INGEST, READ, ADMIN = "ingest token", "read token", "admin token"
IDENTITIES = (ANONYMOUS, VIEWER, EDITOR, SUPERUSER, INGEST, READ, ADMIN)
EVERYONE = frozenset(IDENTITIES)
READERS = frozenset({VIEWER, EDITOR, SUPERUSER, READ, ADMIN})  # stats, lists, export
PEOPLE = frozenset({VIEWER, EDITOR, SUPERUSER})  # pages: tokens are for the API only
STAFF = frozenset({EDITOR, SUPERUSER})  # the admin's own pages
SUPERUSER_ONLY = frozenset({SUPERUSER})

# (method, route as written in the URLconf, or a prefix ending in "*") -> who may.
# A route of the URLconf that no GET row covers fails test_every_route_is_in_the_table.
ACCESS_TABLE = {
    ("GET", ""): EVERYONE,  # only redirects to the dashboard
    ("GET", "accounts/login/"): EVERYONE,
    ("GET", "accounts/logout/"): EVERYONE,  # POST logs out; GET is a 405 for anyone
    ("GET", "admin/login/"): EVERYONE,
    ("GET", "admin/logout/"): EVERYONE,
    ("GET", "api/schema/"): EVERYONE,  # the API's shape, none of its data
    ("GET", "api/docs/"): PEOPLE,
    ("GET", "dashboard/"): PEOPLE,
    ("GET", "api/^links/$"): READERS,
    ("POST", "api/^links/$"): frozenset({EDITOR, SUPERUSER, INGEST, ADMIN}),
    ("GET", "api/^links/(?P<pk>[^/.]+)/$"): READERS,
    ("DELETE", "api/^links/(?P<pk>[^/.]+)/$"): frozenset({EDITOR, SUPERUSER, ADMIN}),
    ("GET", "api/^stats/*"): READERS,
    ("GET", "api/icp-stats"): READERS,
    ("GET", "api/icp-stats/"): READERS,
    ("GET", "api/campaigns/"): READERS,
    ("GET", "api/export.csv"): READERS,
    # The admin: staff only; editors for links and campaigns (and the clicks, read-only).
    ("GET", "admin/"): STAFF,
    ("GET", "admin/(?P<url>.*)$"): STAFF,  # the admin's catch-all: a 404 for staff, the login for others
    (
        "GET",
        "admin/^(?P<app_label>auth|links|tracker|events|django_tasks_database|access|axes)/$",
    ): SUPERUSER_ONLY,  # sample: auth/
    ("GET", "admin/jsi18n/"): STAFF,
    ("GET", "admin/autocomplete/"): frozenset(),  # without its parameters a 403 for anyone
    ("GET", "admin/password_change/"): STAFF,
    ("GET", "admin/password_change/done/"): STAFF,
    ("GET", "admin/r/<path:content_type_id>/<path:object_id>/"): STAFF,
    ("GET", "admin/links/link/*"): STAFF,
    ("GET", "admin/links/campaign/*"): STAFF,
    ("GET", "admin/tracker/click/*"): STAFF,
    ("GET", "admin/tracker/click/add/"): frozenset(),  # clicks come from the redirect only
    ("GET", "admin/tracker/click/<path:object_id>/delete/"): SUPERUSER_ONLY,
    ("GET", "admin/axes/accessattempt/add/"): frozenset(),  # axes' records are never typed in
    ("GET", "admin/axes/accesslog/add/"): frozenset(),
    ("GET", "admin/axes/accessfailurelog/add/"): frozenset(),
    ("GET", "admin/links/trackingdomain/*"): SUPERUSER_ONLY,
    ("GET", "admin/access/apitoken/*"): SUPERUSER_ONLY,
    ("GET", "admin/auth/*"): SUPERUSER_ONLY,
    ("GET", "admin/axes/*"): SUPERUSER_ONLY,
    # Hot-lead alerts: receivers' URLs and secrets are superusers' business; deliveries are logged, not typed in.
    ("GET", "admin/events/*"): SUPERUSER_ONLY,
    ("GET", "admin/events/delivery/add/"): frozenset(),
    ("GET", "admin/django_tasks_database/*"): SUPERUSER_ONLY,  # the worker's queued tasks
    ("GET", "admin/django_tasks_database/dbtaskresult/add/"): frozenset(),
    ("GET", "admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/"): frozenset(),
    ("GET", "api/^links/lookup/$"): READERS,  # Clay's pull column: a read token
    ("GET", "api/links/lookup"): READERS,
    ("GET", "i18n/setlang/"): EVERYONE,  # only sets the language cookie and redirects
    ("GET", "team-browser/"): PEOPLE,  # marks the browser of a logged-in team member
}
LOGIN_PAGE_PREFIXES = ("/accounts/login/", "/admin/login/")


def who_may(method, route):
    """The table's row for a route: its exact entry, else the longest matching prefix entry."""
    if (method, route) in ACCESS_TABLE:
        return ACCESS_TABLE[(method, route)]
    prefixes = [
        key for key in ACCESS_TABLE if key[0] == method and key[1].endswith("*") and route.startswith(key[1][:-1])
    ]
    if not prefixes:
        return None
    return ACCESS_TABLE[max(prefixes, key=lambda key: len(key[1]))]


def sent_to_login(response):
    hops = [url for url, _ in getattr(response, "redirect_chain", [])]
    if response.status_code in (301, 302):
        hops.append(response["Location"])
    return any(url.startswith(LOGIN_PAGE_PREFIXES) for url in hops)


def refused(response):
    """Refused by access control: 401, 403, 404 (the admin hides apps one may not see) or sent
    to a login page (redirects are followed: an admin object's bare URL leads to its change page)."""
    return sent_to_login(response) or response.status_code in (401, 403, 404)


def let_in(response):
    """Not stopped by access control (a 404 for a sample that does not exist is fine)."""
    return not sent_to_login(response) and response.status_code not in (401, 403)


@pytest.fixture
def identities(django_user_model):
    """A client per identity, and one object of every model the admin shows (a link with id 1
    for the API), so that object routes reach their permission checks."""
    from rest_framework.test import APIClient

    from access.roles import assign_role

    clients = {ANONYMOUS: APIClient()}
    for role in (VIEWER, EDITOR):
        person = django_user_model.objects.create_user(username=role, password="irrelevant-pass-1")
        assign_role(person, role)
        clients[role] = APIClient()
        clients[role].force_login(person)
    clients[SUPERUSER] = APIClient()
    clients[SUPERUSER].force_login(django_user_model.objects.create_superuser(username="root", password="x-pass-2"))
    integration = django_user_model.objects.create_user(username="integration")  # no role at all
    for identity, scope in ((INGEST, "ingest"), (READ, "read"), (ADMIN, "admin")):
        _token, key = ApiToken.objects.create_token(integration, scope)
        clients[identity] = APIClient()
        clients[identity].credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for client in clients.values():
        client.raise_request_exception = False
    return clients


@pytest.fixture
def admin_objects(django_user_model):
    """{"app/model": primary key} of one object per model registered in the admin."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group

    from tests.factories import make_campaign, make_click

    domain = TrackingDomain.objects.create(host="go.example.com")
    link = Link.objects.create(
        pk=1, email="john@company.com", campaign=make_campaign(), destination_url="https://w.fr/"
    )
    click = make_click(link)
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example.com/leads")
    event = Event.objects.create(type="link.first_click", link=link, click=click, occurred_at=click.clicked_at, data={})
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=click.clicked_at)
    task_result = deliver.enqueue(delivery.pk)
    attempt = {"user_agent": "x", "ip_address": "203.0.113.9", "username": "x", "http_accept": "*/*", "path_info": "/"}
    return {
        "links/link": link.pk,
        "links/campaign": link.campaign_id,
        "links/trackingdomain": domain.pk,
        "tracker/click": click.pk,
        "access/apitoken": ApiToken.objects.create_token(django_user_model.objects.create_user("someone"), "read")[
            0
        ].pk,
        "auth/user": django_user_model.objects.get(username="someone").pk,
        "auth/group": Group.objects.get(name="viewer").pk,
        "axes/accessattempt": AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        ).pk,
        "axes/accesslog": AccessLog.objects.create(**attempt).pk,
        "axes/accessfailurelog": AccessFailureLog.objects.create(**attempt).pk,
        "events/webhookendpoint": endpoint.pk,
        "events/delivery": delivery.pk,
        "django_tasks_database/dbtaskresult": task_result.id,
    }


def concrete_path(route, path, admin_objects):
    """The walker's sample path, with a real object's id in admin object routes."""
    match = re.fullmatch(r"admin/(\w+/\w+)/<path:object_id>/(.*)", route)
    if match:
        return f"admin/{match[1]}/{admin_objects[match[1]]}/{match[2]}"
    if route.startswith("admin/auth/user/<id>/"):
        return path.replace("sample", str(admin_objects["auth/user"]))
    return path


def test_every_route_is_in_the_table():
    """A new route fails here until the table says who may use it."""
    missing = [route for route, _ in ALL_ROUTES if who_may("GET", route) is None]
    assert missing == []


CHECKS = [("GET", route, path) for route, path in ALL_ROUTES] + [
    ("POST", "api/^links/$", "api/links/"),
    ("DELETE", "api/^links/(?P<pk>[^/.]+)/$", "api/links/1/"),
]


@pytest.mark.parametrize(("method", "route", "path"), CHECKS, ids=[f"{m} /{p}" for m, _, p in CHECKS])
def test_each_identity_gets_exactly_what_the_table_allows(identities, admin_objects, method, route, path):
    """Allowed identities are let in; every other one is refused (401, 403, 404 or the login)."""
    allowed = who_may(method, route)
    path = concrete_path(route, path, admin_objects)
    outcomes = {}
    for identity in IDENTITIES:
        client = identities[identity]
        if method == "POST":
            response = client.post("/" + path, {}, format="json")  # an empty body: 400 once let in
        elif method == "GET" and path.startswith("admin/") and path not in ("admin/login/", "admin/logout/"):
            response = client.get("/" + path, follow=True)
        else:
            response = getattr(client, method.lower())("/" + path)
        outcomes[identity] = let_in(response) if identity in allowed else refused(response)
        assert response.status_code < 500, (identity, response.status_code)
    assert [identity for identity, ok in outcomes.items() if not ok] == []


def test_a_refusal_names_the_scope_that_is_needed(identities, admin_objects):
    """403 with a JSON message: which scope the call needs, and the token's own."""
    response = identities[INGEST].get("/api/links/")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This needs an API token with the read scope; this token's scope is ingest."},
    )
    response = identities[READ].delete("/api/links/1/")
    assert response.json() == {"detail": "This needs an API token with the admin scope; this token's scope is read."}
    response = identities[VIEWER].delete("/api/links/1/")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This needs the admin scope: your role does not allow it (permission links.delete_link)."},
    )
    assert Link.objects.filter(pk=1).exists()


def test_a_person_without_a_role_sees_no_data(client, django_user_model):
    """A logged-in account with no role gets 403 from the dashboard and the API."""
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x-pass-3"))
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/api/links/").status_code == 403
    assert client.get("/api/export.csv").status_code == 403
