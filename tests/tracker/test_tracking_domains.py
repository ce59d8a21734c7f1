"""A tracking domain's host serves tracking URLs and nothing else, through gunicorn's WSGI
application with real Host headers; a new domain needs no restart and no ALLOWED_HOSTS change."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from links.models import Campaign, TrackingDomain
from links.tracking_domains import remember_domains, tracking_domain_for_host
from tests.factories import make_link
from tests.tracker.test_wsgi_fast_path import serve
from tests.tracker.user_agents import CHROME
from tracker.models import Click
from tracker.views import not_found_page

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "go.wesser-recrutement.fr"


def tracking_domain(**fields):
    return TrackingDomain.objects.create(host=HOST, **fields)


def on_tracking_host(path, **headers):
    return serve(path, HTTP_HOST=HOST, HTTP_USER_AGENT=CHROME, **headers)


def test_the_root_redirects_to_the_owners_page():
    """GET https://HOST/ answers 302 to root_url."""
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    status, headers, body = on_tracking_host("/")

    assert (status, headers["Location"], body) == ("302 Found", "https://wesser-recrutement.fr/", b"")


def test_without_a_root_url_the_root_is_the_404_page():
    """No root_url: the same 404 page as an unknown link, never the dashboard or a login form."""
    tracking_domain()

    status, _, body = on_tracking_host("/")

    assert (status, body) == ("404 Not Found", not_found_page().encode())


def test_a_tracking_url_on_the_domain_redirects_and_records_the_click():
    """/t/<token> on a tracking domain is the ordinary redirect with its click."""
    tracking_domain()
    link = make_link(destination_url="https://wesser.fr/offre")

    status, headers, _ = on_tracking_host(f"/t/{link.token}")

    assert (status, headers["Location"]) == ("302 Found", "https://wesser.fr/offre")
    assert list(Click.objects.values_list("link_id", "verdict")) == [(link.id, "human")]


def test_an_unknown_token_redirects_to_the_not_found_page_of_the_owners_choice():
    """An unknown or deleted token: 302 to not_found_url, nothing recorded."""
    tracking_domain(not_found_url="https://wesser-recrutement.fr/lien-expire")

    status, headers, _ = on_tracking_host("/t/doesNotExist1")

    assert (status, headers["Location"]) == ("302 Found", "https://wesser-recrutement.fr/lien-expire")
    assert Click.objects.count() == 0


def test_an_unknown_token_without_a_not_found_url_is_the_404_page():
    """No not_found_url: the usual 404 page."""
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    status, _, body = on_tracking_host("/t/doesNotExist1")

    assert (status, body) == ("404 Not Found", not_found_page().encode())


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        "/admin/",
        "/admin/login/",
        "/api/links/",
        "/api/schema/",
        "/api/docs/",
        "/accounts/login/",
        "/static/css/dashboard.css",
    ],
)
def test_the_dashboard_admin_api_login_docs_and_static_are_not_there(path):
    """Everything but tracking URLs answers the 404 page on a tracking domain, even with a session."""
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    status, headers, body = on_tracking_host(path, HTTP_COOKIE="sessionid=whatever")

    assert (status, body) == ("404 Not Found", not_found_page().encode())
    assert "Location" not in headers and "Set-Cookie" not in headers


def test_the_host_matches_in_any_case_with_a_port_or_a_final_dot():
    """GO.Wesser-Recrutement.FR:443 and go.wesser-recrutement.fr. are the same host."""
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    for host in ("GO.Wesser-Recrutement.FR:443", HOST + "."):
        status, headers, _ = serve("/", HTTP_HOST=host)
        assert (status, headers["Location"]) == ("302 Found", "https://wesser-recrutement.fr/"), host


def test_a_tracking_domain_needs_no_allowed_hosts_entry_while_other_hosts_still_do():
    """The tracking host is not in ALLOWED_HOSTS and works; an unknown host gets Django's 400."""
    assert HOST not in settings.ALLOWED_HOSTS
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    assert on_tracking_host("/")[0] == "302 Found"
    assert serve("/dashboard/", HTTP_HOST="evil.example.com")[0] == "400 Bad Request"


def test_other_processes_see_a_new_domain_at_their_next_refresh(settings):
    """A domain added by another process (no signal here) is known once the refresh interval passes."""
    settings.TRACKING_DOMAIN_REFRESH_SECONDS = 3600
    remember_domains([], refresh_at=0.0)
    assert tracking_domain_for_host(HOST) is None
    TrackingDomain.objects.bulk_create([TrackingDomain(host=HOST)])  # as another process would, unseen here

    assert tracking_domain_for_host(HOST) is None  # still the copy read a moment ago
    remember_domains([], refresh_at=0.0)  # the interval has passed
    assert tracking_domain_for_host(HOST).host == HOST


def test_the_test_client_path_gives_the_same_answers(client):
    """Under runserver and the test client, TrackingDomainMiddleware answers as the fast path does."""
    tracking_domain(root_url="https://wesser-recrutement.fr/")

    assert client.get("/", HTTP_HOST=HOST)["Location"] == "https://wesser-recrutement.fr/"
    assert client.get("/dashboard/", HTTP_HOST=HOST).status_code == 404
    assert client.get("/dashboard/").status_code == 302  # the main host is unchanged


def test_links_of_a_campaign_with_a_domain_get_tracking_urls_on_it(api, settings):
    """The API's tracking_url uses the campaign's domain; other campaigns keep PUBLIC_BASE_URL."""
    settings.PUBLIC_BASE_URL = "https://links.example.com"
    domain = tracking_domain()
    Campaign.objects.create(name="wesser-recrutement.fr", tracking_domain=domain)
    prospect = {"email": "john@company.com", "destination_url": "https://wesser.fr/offre"}

    response = api.post(
        "/api/links/",
        [{**prospect, "campaign": "wesser-recrutement.fr"}, {**prospect, "campaign": "aura.camp"}],
        format="json",
    )

    assert response.status_code == 201
    wesser, aura = response.json()
    assert wesser["tracking_url"] == f"https://{HOST}/t/{wesser['token']}"
    assert aura["tracking_url"] == f"https://links.example.com/t/{aura['token']}"
    listed = {row["campaign"]: row["tracking_url"] for row in api.get("/api/links/").json()["results"]}
    assert listed == {"wesser-recrutement.fr": wesser["tracking_url"], "aura.camp": aura["tracking_url"]}


def test_a_bulk_answer_costs_no_query_per_link_for_tracking_urls(api):
    """30 links on a tracking domain take the same queries as 3 (the host comes from the process's copy)."""
    Campaign.objects.create(name="wesser-recrutement.fr", tracking_domain=tracking_domain())

    def post(count, start):
        rows = [
            {
                "email": f"p{start + n}@company.com",
                "campaign": "wesser-recrutement.fr",
                "destination_url": "https://w.fr/",
            }
            for n in range(count)
        ]
        return api.post("/api/links/", rows, format="json")

    post(1, 0)  # campaigns and the domain copy warmed up
    with CaptureQueriesContext(connection) as three:
        assert post(3, 100).status_code == 201
    with CaptureQueriesContext(connection) as thirty:
        response = post(30, 200)
    assert len(thirty) == len(three)
    assert all(row["tracking_url"].startswith(f"https://{HOST}/t/") for row in response.json())


def test_the_command_adds_lists_and_removes_a_domain_for_campaigns():
    """`tracking_domain add HOST --campaign NAME` creates it and points the campaign at it."""
    out = StringIO()
    call_command(
        "tracking_domain",
        "add",
        HOST,
        "--root-url",
        "https://wesser-recrutement.fr/",
        "--campaign",
        "wesser-recrutement.fr",
        stdout=out,
    )

    assert out.getvalue().splitlines()[:2] == [
        f"Added tracking domain {HOST}.",
        f"Campaign wesser-recrutement.fr now sends https://{HOST}/t/… links.",
    ]
    assert Campaign.objects.get().tracking_domain.host == HOST
    assert on_tracking_host("/")[1]["Location"] == "https://wesser-recrutement.fr/"

    listing = StringIO()
    call_command("tracking_domain", "list", stdout=listing)
    assert listing.getvalue() == f"{HOST}\thttps://wesser-recrutement.fr/\t404\twesser-recrutement.fr\n"

    call_command("tracking_domain", "remove", HOST, stdout=StringIO())
    assert Campaign.objects.get().tracking_domain is None
    assert serve("/", HTTP_HOST=HOST)[0] == "400 Bad Request"  # an ordinary unknown host again


def test_the_command_refuses_a_host_with_a_scheme():
    """A URL instead of a host is refused with the reason."""
    with pytest.raises(Exception, match="host: Enter a host name in lower case"):
        call_command("tracking_domain", "add", "https://go.example.com", stdout=StringIO())
