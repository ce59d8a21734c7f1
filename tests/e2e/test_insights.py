"""Accounts, countries and devices on the dashboard, drawn from their API endpoints."""

import pytest

from tests.analytics.conftest import accounts_world, frozen_time  # noqa: F401 (fixtures)
from tests.e2e.conftest import chart_option, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for_insights(page, filters=""):
    page.wait_for_function(
        "filters => document.getElementById('insights').dataset.loadedFilters === filters",
        arg=filters,
        timeout=15_000,
    )


@pytest.fixture
def dashboard(page, live_server, operator, accounts_world):  # noqa: F811
    log_in(page, live_server)
    wait_for_insights(page)
    return page


def test_the_accounts_table_shows_who_engaged_at_each_company(dashboard):
    """Acme first: 3 of 5 clicked, with the ICPs of its clickers; free-mail prospects one by one."""
    rows = dashboard.locator("#accounts-table tbody tr")
    assert rows.count() == 5
    assert [cell.strip() for cell in rows.nth(0).locator("td").all_inner_texts()[:4]] == [
        "acme.com",
        "3 of 5 clicked",
        "CEO, CTO, VP Sales",
        "4",
    ]
    assert dashboard.locator("#accounts-table tbody tr td:first-child").all_inner_texts() == [
        "acme.com",
        "globex.io",
        "jean.dupont@orange.fr",
        "paul@hotmail.fr",
        "marie@gmail.com",
    ]
    assert dashboard.locator("#shared-links-count").inner_text() == "1"


def test_choosing_an_account_filters_the_links_table(dashboard, live_server):
    """Clicking acme.com opens the dashboard with ?account=acme.com: the links table lists its 5 prospects."""
    dashboard.locator("#accounts-table a", has_text="acme.com").click()
    dashboard.wait_for_url("**/dashboard/?account=acme.com")
    dashboard.wait_for_function(
        "() => document.querySelectorAll('#links-table tbody tr').length === 5"
        " && [...document.querySelectorAll('#links-table tbody tr td:nth-child(2)')]"
        ".every(cell => cell.textContent.endsWith('@acme.com'))",
        timeout=15_000,
    )
    assert dashboard.locator("#account-filter-note").is_visible()
    assert "acme.com" in dashboard.locator("#account-filter-text").inner_text()


def test_the_forwarded_link_wears_a_shared_badge(dashboard):
    """a@globex.io looks forwarded: its row in the links table says "Shared"; no other row does."""
    dashboard.wait_for_selector("#links-table .badge-shared")
    badges = dashboard.locator("#links-table tr:has(.badge-shared) td:nth-child(2)").all_inner_texts()
    assert badges == ["a@globex.io"]


def test_the_country_and_device_charts_draw_the_api_figures(dashboard, api):
    """Countries: France 7, Germany 3, Unknown 1 (top down); devices: three donuts of the API's counts."""
    countries = chart_option(dashboard, "countries-chart")
    names_top_down = list(reversed(countries["yAxis"][0]["data"]))
    values_top_down = [bar["value"] for bar in reversed(countries["series"][0]["data"])]
    assert list(zip(names_top_down, values_top_down, strict=True)) == [("France", 7), ("Germany", 3), ("Unknown", 1)]

    devices = api.get("/api/stats/devices/").json()
    series = chart_option(dashboard, "devices-chart")["series"]
    assert [[(item["name"], item["value"]) for item in donut["data"]] for donut in series] == [
        [("Desktop", 5), ("Mobile", 5), ("Tablet", 1)],
        [(row["name"], row["clicks"]) for row in devices["os"]],
        [(row["name"], row["clicks"]) for row in devices["browsers"]],
    ]


def test_with_no_click_the_charts_say_so(page, live_server, operator):
    """A link sent, nobody clicked: an empty-state message instead of an empty chart."""
    from tests.factories import make_link

    make_link(email="quiet@acme.com")
    log_in(page, live_server)
    wait_for_insights(page)
    assert chart_option(page, "countries-chart")["title"][0]["text"] == "No clicks yet for these filters"
    assert chart_option(page, "devices-chart")["title"][0]["text"] == "No clicks yet for these filters"
    assert page.locator("#accounts-table tbody tr td:nth-child(2)").inner_text() == "0 of 1 clicked"
