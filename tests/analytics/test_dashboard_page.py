"""The dashboard page: who may see it, what it hands to its script, and the demo data command."""

import json
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from links.models import Campaign, Link
from tests.factories import make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

API_URL_NAMES = {
    "data-overview-url": "stats-overview",
    "data-funnel-url": "stats-funnel",
    "data-heatmap-url": "stats-heatmap",
    "data-timeline-url": "stats-timeline",
    "data-top-clickers-url": "stats-top-clickers",
    "data-icp-stats-url": "icp-stats",
    "data-icp-metrics-url": "stats-icp-metrics",
    "data-campaigns-url": "campaigns",
    "data-links-url": "link-list",
    "data-export-url": "export-csv",
}


def initial_filters(response):
    script = re.search(r'<script id="initial-filters" type="application/json">(.*?)</script>', response.text)
    return json.loads(script.group(1))


def test_logged_out_visitors_are_sent_to_the_login_page(client):
    """Anonymous visitors of /dashboard/ land on the login form, which brings them back after."""
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_the_home_page_leads_to_the_dashboard(client, operator):
    """/ is the dashboard's address too."""
    client.force_login(operator)
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert response.status_code == 200


def test_the_login_form_logs_the_operator_in(client, operator):
    """The styled login page takes a username and password and opens the dashboard."""
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    response = client.post("/accounts/login/", {"username": "operator", "password": "s3cret-pass-phrase"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_the_page_hands_every_api_url_to_its_script(client, operator):
    """The script finds each API through a data-*-url attribute rendered by {% url %}."""
    client.force_login(operator)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    for attribute, url_name in API_URL_NAMES.items():
        assert f'{attribute}="{reverse(url_name)}"' in response.text
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in response.text
    assert '<script type="module" src="/static/js/main.js"></script>' in response.text


def test_the_filters_of_a_bookmarked_url_come_back(client, operator):
    """?range=7d&campaign=aura.camp is handed to the script, so a bookmark reopens the same view."""
    client.force_login(operator)
    response = client.get("/dashboard/", {"range": "7d", "campaign": "aura.camp"})
    assert initial_filters(response) == {"range": "7d", "campaign": "aura.camp"}
    assert re.search(
        r'data-range="7d" title="Last 7 days" aria-label="Last 7 days"\s+aria-pressed="true"', response.text
    )


def test_an_unknown_range_shows_all_time(client, operator):
    """A hand-edited ?range=1y falls back to All rather than breaking the page."""
    client.force_login(operator)
    response = client.get("/dashboard/", {"range": "1y"})
    assert initial_filters(response) == {"range": "all", "campaign": ""}


def test_a_campaign_name_cannot_break_out_of_the_page(client, operator):
    """The campaign filter is untrusted text: it stays JSON data, never markup."""
    client.force_login(operator)
    response = client.get("/dashboard/", {"campaign": "</script><script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in response.text
    assert initial_filters(response)["campaign"] == "</script><script>alert(1)</script>"


def test_the_clay_setup_names_the_absolute_api_url_and_the_token_header(client, operator):
    """The empty state tells how to set up Clay's HTTP API column: URL, header, body, curl."""
    client.force_login(operator)
    response = client.get("/dashboard/")
    assert '<code id="clay-url">http://testserver/api/links/</code>' in response.text
    assert "Authorization: Token &lt;your API token&gt;" in response.text
    assert "&quot;ICP&quot;: &quot;{{ICP}}&quot;" in response.text
    assert "curl -X POST http://testserver/api/links/" in response.text
    assert ".venv/bin/python manage.py api_token create admin --scope ingest --name Clay" in response.text
    assert "<code>Content-Type: application/json</code>" in response.text
    assert "var/admin-credentials.txt" in response.text


def test_the_clay_setup_uses_the_public_base_url_when_set(client, operator, settings):
    """Behind a proxy the page shows the public host Clay must reach, not the internal one."""
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    client.force_login(operator)
    response = client.get("/dashboard/")
    assert '<code id="clay-url">https://go.example.com/api/links/</code>' in response.text


def demo_snapshot():
    links = Link.objects.order_by("email").values_list("email", "first_name", "icp", "campaign__name", "created_at")
    clicks = Click.objects.order_by("clicked_at", "link__email").values_list(
        "link__email", "clicked_at", "verdict", "user_agent"
    )
    return list(links), list(clicks)


@time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=UTC), tick=False)
def test_seed_demo_creates_the_same_prospects_and_clicks_for_the_same_seed():
    """seed_demo --prospects 60 --seed 7 fills three campaigns with 60 links and their clicks, identically each time."""
    call_command("seed_demo", prospects=60, seed=7, stdout=StringIO())
    first = demo_snapshot()
    call_command("seed_demo", prospects=60, seed=7, force=True, stdout=StringIO())

    assert demo_snapshot() == first
    assert Link.objects.count() == 60
    assert sorted(Campaign.objects.values_list("name", flat=True)) == [
        "aura.camp",
        "maison-ecommerce.fr",
        "wesser-recrutement.fr",
    ]
    verdicts = set(Click.objects.values_list("verdict", flat=True))
    assert "human" in verdicts and verdicts - {"human"}
    assert Link.objects.filter(icp__isnull=True).exists()
    oldest = Link.objects.order_by("created_at").first().created_at
    assert oldest >= datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    assert not Click.objects.filter(clicked_at__gt=datetime(2026, 11, 24, 12, 0, tzinfo=UTC)).exists()


def test_seed_demo_with_another_seed_gives_other_prospects():
    """The seed drives the generator: another seed, another crowd."""
    call_command("seed_demo", prospects=30, seed=1, stdout=StringIO())
    first = list(Link.objects.order_by("email").values_list("email", flat=True))
    call_command("seed_demo", prospects=30, seed=2, force=True, stdout=StringIO())
    assert list(Link.objects.order_by("email").values_list("email", flat=True)) != first


def test_seed_demo_leaves_a_database_that_already_has_links_alone_with_a_notice():
    """Demo data never mixes into real prospects: without --force it adds nothing and says so,
    without failing (scripts/run --demo a second time goes on to serve the app)."""
    make_link(email="real@customer.com", campaign="my-real-campaign")
    output = StringIO()
    call_command("seed_demo", prospects=10, stdout=output)
    assert Link.objects.count() == 1
    assert output.getvalue() == (
        "The database already has links, so no demo data was added (demo data never mixes into real "
        "prospects). To replace the demo campaigns' links: .venv/bin/python manage.py seed_demo --force\n"
    )


def test_seed_demo_force_keeps_other_campaigns():
    """--force replaces only the demo campaigns' links and says what it did."""
    make_link(email="real@customer.com", campaign="my-real-campaign")
    output = StringIO()
    call_command("seed_demo", prospects=10, seed=3, force=True, stdout=output)
    assert Link.objects.filter(campaign__name="my-real-campaign").count() == 1
    assert Link.objects.count() == 11
    assert "Created 10 links in 3 campaigns" in output.getvalue()


def test_an_account_chosen_in_the_accounts_table_reaches_the_links_filters(client, operator):
    """?account=acme.com is handed to the page's script, which filters the links table with it."""
    client.force_login(operator)
    response = client.get("/dashboard/", {"account": "acme.com"})
    assert initial_filters(response) == {"range": "all", "campaign": "", "account": "acme.com"}
    assert 'id="insights"' in response.text
    assert 'data-accounts-url="/api/stats/accounts/"' in response.text
