"""XSS and injection: what Clay sends is only ever data. The admin and error pages escape it, the
CSV export neutralises spreadsheet formulas, and filters cannot be turned into SQL."""

import csv
import io

import pytest
from django.db import connection

from links.models import Campaign, Link
from tests.factories import make_click, make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
SQL_PAYLOADS = [
    "' OR 1=1 --",
    '"; DROP TABLE links_link; --',
    "%",
    "_",
    "\\",
    "') OR ('1'='1",
    "1; SELECT pg_sleep(1) --",
    "Ünïcödé 🙂",
    "ICP' UNION SELECT username FROM auth_user --",
]


@pytest.fixture
def hostile_link():
    link = make_link(first_name=SCRIPT, last_name=IMAGE, email="john@company.com", icp=IMAGE, campaign=f"camp{SCRIPT}")
    make_click(link)
    return link


def assert_escaped(html):
    assert SCRIPT not in html
    assert IMAGE not in html
    assert "&lt;script&gt;alert(" in html


def test_the_admin_changelist_escapes_prospect_names(admin_client, hostile_link):
    """Names, ICP and campaign with HTML in them show as text in the links list of the admin."""
    response = admin_client.get("/admin/links/link/")

    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_the_admin_change_page_escapes_prospect_names(admin_client, hostile_link):
    """The link's change page (title, fields, inlines, breadcrumbs) escapes the payload."""
    response = admin_client.get(f"/admin/links/link/{hostile_link.pk}/change/")

    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_the_admin_campaign_and_click_pages_escape_names(admin_client, hostile_link):
    """The campaign list and the click list show the campaign and the prospect escaped."""
    for page in ("/admin/links/campaign/", "/admin/tracker/click/"):
        response = admin_client.get(page)
        assert response.status_code == 200
        assert SCRIPT not in response.content.decode() and IMAGE not in response.content.decode()


def test_a_not_found_page_never_echoes_the_requested_path(client):
    """A tracking URL carrying markup gets the plain 404 page, the markup nowhere in it."""
    for path in ("/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/t/<script>alert(1)</script>", f"/nowhere/{IMAGE}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "<script>alert(1)" not in response.content.decode()
        assert "onerror" not in response.content.decode()


def test_the_api_refusing_a_payload_answers_json_not_html(api):
    """A 400 on the creation API is JSON: a browser never renders the prospect's markup from it."""
    response = api.post(
        "/api/links/", {"email": SCRIPT, "campaign": "aura.camp", "destination_url": "https://wesser.fr"}, format="json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_csv_export_neutralises_formulas_end_to_end(api):
    """A prospect named =HYPERLINK(...) created through the API exports as text, not a formula."""
    api.post(
        "/api/links/",
        {
            "first_name": '=HYPERLINK("https://evil.com","Click")',
            "last_name": "+1+1",
            "email": "john@company.com",
            "ICP": "@SUM(A1:A9)",
            "campaign": "-2+3",
            "destination_url": "https://wesser.fr/offre",
        },
        format="json",
    )

    response = api.get("/api/export.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:5] == [
        '\'=HYPERLINK("https://evil.com","Click")',
        "'+1+1",
        "john@company.com",
        "'@SUM(A1:A9)",
        "'-2+3",
    ]


def table_fingerprint():
    return (
        Link.objects.count(),
        Campaign.objects.count(),
        Click.objects.count(),
        len(connection.introspection.table_names()),
    )


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
@pytest.mark.parametrize("parameter", ["search", "campaign", "icp", "ordering", "status", "range"])
def test_sql_payloads_in_filters_find_nothing_extra_and_break_nothing(api, parameter, payload):
    """A payload in any filter: no 500, no row it should not match, every table still there."""
    make_click(make_link(email="john@company.com", icp="CEO", campaign="aura.camp"))
    make_link(email="jane@company.com", icp=None, campaign="wesser-recrutement.fr")
    before = table_fingerprint()
    unfiltered_stats = api.get("/api/icp-stats").json(), api.get("/api/stats/overview/").json()

    links = api.get("/api/links/", {parameter: payload})
    export = api.get("/api/export.csv", {parameter: payload})
    stats = api.get("/api/icp-stats", {parameter: payload}), api.get("/api/stats/overview/", {parameter: payload})

    assert links.status_code in (200, 400)
    if links.status_code == 200:
        assert links.json()["count"] == 0
    assert export.status_code == links.status_code
    if export.status_code == 200:
        assert b"".join(export.streaming_content).decode("utf-8-sig").count("\n") == 1  # the header only
    if parameter in ("campaign", "range"):  # the only filters the stats take; others are ignored
        assert {response.status_code for response in stats} <= {200, 400}
        if stats[0].status_code == 200:
            assert (stats[0].json(), stats[1].json()["links_sent"]) == ([], 0)
    else:
        assert (stats[0].json(), stats[1].json()) == unfiltered_stats
    assert table_fingerprint() == before
