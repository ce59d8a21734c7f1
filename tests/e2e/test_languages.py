"""A French browser gets the dashboard in French, an English one in English; the language switch
changes it; the data (ICPs, "Non défini", campaigns) is never translated."""

import pytest

from tests.e2e.conftest import log_in, new_page, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pie_tooltip(page, index=0):
    page.evaluate(
        "index => echarts.getInstanceByDom(document.getElementById('icp-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: index})",
        index,
    )
    return page.locator("#icp-chart .chart-tooltip").inner_text().strip()


def test_a_french_browser_gets_the_dashboard_in_french(browser, live_server, prospects):
    """Labels, explanations, the table, tooltips and dates read as a French user expects."""
    page = new_page(browser, "fr")
    log_in(page, live_server)
    wait_for_figures(page)
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("[data-card=links_sent] h3").inner_text() == "LIENS ENVOYÉS SUR LA PÉRIODE"
    assert page.locator("[data-card=unique_clickers] h3").inner_text() == "PERSONNES AYANT CLIQUÉ SUR LA PÉRIODE"
    assert page.locator("#kpi-help-links_clicked").inner_text(timeout=1000) != ""
    assert page.locator(".period-button").all_inner_texts() == ["24 h", "7 j", "30 j", "Tout"]
    assert page.locator("#export-csv").inner_text() == "Exporter en CSV"
    assert page.locator("#links-count").inner_text() == "6 liens envoyés ou cliqués depuis le premier lien"
    assert page.locator("#time-zone-note").inner_text() == "Heures en UTC"
    assert page.locator("#last-refresh").inner_text().startswith("Données de ")
    assert pie_tooltip(page) == "CEO : 3 clics (43 %)"
    assert pie_tooltip(page, 2) in {"CTO : 1 clic (14 %)", "Commercial Senior : 1 clic (14 %)"}
    john = page.locator(f"#links-table tr[data-link-id='{prospects['john'].id}']")
    assert john.locator("td.col-status").inner_text() == "Cliqué"
    first_click = prospects["john"].clicks.order_by("clicked_at").first().clicked_at
    assert john.locator("td.col-first-click").inner_text() == f"{first_click:%d/%m/%Y %H:%M}"
    paul = page.locator(f"#links-table tr[data-link-id='{prospects['paul'].id}']")
    assert paul.locator("td.col-icp").inner_text() == "Non défini"
    assert page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('heatmap-chart')).getOption().yAxis[0].data"
    ) == ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    assert page.locator("#icp-table thead th").all_inner_texts() == [
        "ICP",
        "LIENS ENVOYÉS",
        "CLIQUEURS",
        "TAUX DE CLIC",
        "CLICS MOYENS PAR PERSONNE",
        "DÉLAI MOYEN AVANT LE 1ER CLIC",
    ]
    assert page.evaluate(
        """async () => {
            const m = await import('/static/js/format.js');
            const labels = JSON.parse(document.getElementById('dashboard-labels').textContent);
            return [m.shareTooltip('CEO', 45, 35, labels), m.shareTooltip('CTO', 1, 2.46, labels)];
        }"""
    ) == ["CEO : 45 clics (35 %)", "CTO : 1 clic (2,5 %)"]
    page.context.close()


def test_an_english_browser_gets_the_dashboard_in_english(browser, live_server, prospects):
    """The same page for en-US: English words, US dates like the CSV."""
    page = new_page(browser, "en")
    log_in(page, live_server)
    wait_for_figures(page)
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("[data-card=links_sent] h3").inner_text() == "LINKS SENT IN THIS PERIOD"
    assert page.locator(".period-button").all_inner_texts() == ["24h", "7d", "30d", "All"]
    assert pie_tooltip(page) == "CEO: 3 clicks (43%)"
    first_click = prospects["john"].clicks.order_by("clicked_at").first().clicked_at
    john = page.locator(f"#links-table tr[data-link-id='{prospects['john'].id}']")
    assert john.locator("td.col-first-click").inner_text() == f"{first_click:%m/%d/%Y %H:%M}"
    page.context.close()


def test_the_language_switch_turns_the_page_french(browser, live_server, prospects):
    """FR in the top bar reloads the same dashboard, filters kept, in French."""
    page = new_page(browser, "en")
    log_in(page, live_server, "/dashboard/?range=7d")
    wait_for_figures(page, "range=7d")
    page.click("#language-switch button[value=fr]")
    page.wait_for_url(f"{live_server.url}/dashboard/?range=7d")
    wait_for_figures(page, "range=7d")
    assert page.locator("#links-count").inner_text() == "4 liens envoyés ou cliqués ces 7 derniers jours"
    assert page.get_attribute("#language-switch button[value=fr]", "aria-current") == "true"
    page.context.close()


def test_the_login_page_follows_the_browser_language(browser, live_server, operator):
    """The French login page, then the dashboard, in French."""
    page = new_page(browser, "fr")
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Connexion"
    assert page.locator("label[for=id_password]").inner_text() == "Mot de passe"
    page.context.close()
