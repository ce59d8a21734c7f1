"""KPI cards show the API's figures, and the period and campaign filters drive every widget."""

import pytest

from tests.e2e.conftest import kpis, kpis_expected, log_in, wait_for_figures
from tests.factories import make_click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_kpi_cards_show_the_overview_of_the_api(page, live_server, api, prospects):
    """Every KPI card and the bot breakdown equal GET /api/stats/overview/."""
    log_in(page, live_server)
    wait_for_figures(page)
    overview = api.get("/api/stats/overview/").json()
    assert overview["links_sent"] == 6
    assert kpis(page) == kpis_expected(overview)
    breakdown = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-verdict]')]"
        ".map(node => [node.dataset.verdict, Number(node.textContent)]))"
    )
    assert breakdown == {"scanner": 1, "preview": 1, "prefetch": 0, "bot": 0, "internal": 0}
    assert breakdown == overview["filtered_by_verdict"]


def test_switching_to_7d_shows_the_7_day_figures_and_updates_the_url(page, live_server, api, prospects):
    """The 7d button refetches everything for range=7d and writes it in the address bar."""
    log_in(page, live_server)
    wait_for_figures(page)
    page.click(".period-button[data-range='7d']")
    wait_for_figures(page, "range=7d")
    overview = api.get("/api/stats/overview/", {"range": "7d"}).json()
    assert overview["links_sent"] == 4
    assert kpis(page) == kpis_expected(overview)
    assert page.url == f"{live_server.url}/dashboard/?range=7d"
    assert page.get_attribute(".period-button[data-range='7d']", "aria-pressed") == "true"
    assert page.get_attribute("#export-csv", "href").endswith("?range=7d")


def test_choosing_a_campaign_shows_its_figures_and_survives_a_reload(page, live_server, api, prospects):
    """Campaign + period are in the URL, so reloading (or a bookmark) shows the same view."""
    log_in(page, live_server)
    wait_for_figures(page)
    options = page.locator("#campaign-select option").all_inner_texts()
    assert options == ["All campaigns", "aura.camp (4)", "wesser-recrutement.fr (2)"]

    page.click(".period-button[data-range='30d']")
    page.select_option("#campaign-select", "wesser-recrutement.fr")
    wait_for_figures(page, "range=30d&campaign=wesser-recrutement.fr")
    expected = kpis_expected(
        api.get("/api/stats/overview/", {"range": "30d", "campaign": "wesser-recrutement.fr"}).json()
    )
    assert expected["links_sent"] == "1"
    assert kpis(page) == expected
    assert page.url == f"{live_server.url}/dashboard/?range=30d&campaign=wesser-recrutement.fr"

    page.reload()
    wait_for_figures(page, "range=30d&campaign=wesser-recrutement.fr")
    assert kpis(page) == expected
    assert page.input_value("#campaign-select") == "wesser-recrutement.fr"
    assert page.get_attribute(".period-button[data-range='30d']", "aria-pressed") == "true"


def test_the_figures_refresh_by_themselves_every_45_seconds(page, live_server, prospects):
    """A click that arrives while the page is open shows up without a reload."""
    page.clock.install()
    log_in(page, live_server)
    wait_for_figures(page)
    assert kpis(page)["total_clicks"] == "7"
    make_click(prospects["jane"])
    page.clock.run_for(44_000)
    assert kpis(page)["total_clicks"] == "7"
    page.clock.run_for(2_000)
    page.wait_for_function("() => document.querySelector('[data-kpi=total_clicks]').textContent === '8'")
