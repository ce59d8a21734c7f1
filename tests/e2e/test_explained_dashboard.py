"""A dashboard that explains its own numbers: every KPI says what it counts, the table says which
links it lists, the per-ICP table ranks by click rate, the charts stay readable, every column fits,
and every time is in one named zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.e2e.conftest import chart_option, kpis, log_in, new_page, wait_for_figures
from tests.factories import make_click, make_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KPI_LABELS = {
    "links_sent": "Links sent in this period",
    "links_clicked": "Of these, clicked",
    "avg_clicks_per_clicker": "Avg clicks per clicker",
    "median_time_to_first_click": "Time to first click",
    "unique_clickers": "People who clicked in this period",
    "total_clicks": "Clicks in this period",
    "bot_clicks_filtered": "Machine clicks left out",
}


def kpi_labels(page):
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-card]')]"
        ".map(card => [card.dataset.card, card.querySelector('h3').textContent]))"
    )


def icp_rows(page):
    return page.eval_on_selector_all(
        "#icp-table tbody tr", "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))"
    )


def call_module(page, module, expression):
    """Evaluate `expression` with the ES module as `m` and the page's labels as `labels`."""
    return page.evaluate(
        f"""async () => {{
            const m = await import('/static/js/{module}');
            const labels = JSON.parse(document.getElementById('dashboard-labels').textContent);
            return {expression};
        }}"""
    )


@pytest.fixture
def dashboard(page, live_server, prospects):
    log_in(page, live_server)
    wait_for_figures(page)
    return page


def test_every_kpi_is_named_after_what_it_counts(dashboard):
    """Cohort cards say "sent in this period", activity cards "in this period"; each row is titled."""
    assert kpi_labels(dashboard) == KPI_LABELS
    assert dashboard.locator(".kpi-group-cohort .kpi-group-title").inner_text() == (
        "Links sent in this period …and what became of them, whenever their clicks came."
    )
    assert dashboard.locator(".kpi-group-activity .kpi-group-title").inner_text() == (
        "Clicks in this period …on any link, whenever it was sent."
    )
    assert dashboard.locator("[data-card=links_clicked] .kpi-sub").inner_text() == "click rate 67%"


def test_hovering_the_info_button_explains_why_clickers_can_exceed_clicked_links(dashboard):
    """The explanation shows on hover, names the other card, and hides again when the mouse leaves."""
    tip = dashboard.locator("#kpi-help-unique_clickers")
    assert not tip.is_visible()
    dashboard.hover("[data-card=unique_clickers] button.info")
    assert tip.is_visible()
    assert tip.inner_text() == (
        "Prospects with at least one human click in the period, whenever their link was sent. It can be "
        "more than “Of these, clicked”, which only counts links sent in the period."
    )
    assert dashboard.get_attribute("[data-card=unique_clickers] button.info", "aria-describedby") == (
        "kpi-help-unique_clickers"
    )
    dashboard.mouse.move(5, 5)
    assert not tip.is_visible()


def test_tapping_the_info_button_on_a_phone_explains_the_kpi(browser, live_server, prospects):
    """A tap opens the explanation (no hover on a phone); a tap elsewhere closes it."""
    page = new_page(browser, "en", 390, 844, touch=True)
    log_in(page, live_server)
    wait_for_figures(page)
    button = page.locator("[data-card=links_clicked] button.info")
    tip = page.locator("#kpi-help-links_clicked")
    button.tap()
    assert button.get_attribute("aria-expanded") == "true"
    assert tip.is_visible()
    assert tip.inner_text().startswith("Links sent in this period that a person opened at least once")
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.locator("#links-title").tap()
    assert button.get_attribute("aria-expanded") == "false"
    assert not tip.is_visible()
    page.context.close()


def test_the_table_says_which_links_it_lists(dashboard):
    """For 7 days: the links sent or clicked in the last 7 days, and a campaign and a search narrow it."""
    assert dashboard.locator("#links-count").inner_text() == "6 links sent or clicked since the first link"
    dashboard.click(".period-button[data-range='7d']")
    wait_for_figures(dashboard, "range=7d")
    assert dashboard.locator("#links-count").inner_text() == "4 links sent or clicked in the last 7 days"
    dashboard.select_option("#campaign-select", "aura.camp")
    wait_for_figures(dashboard, "range=7d&campaign=aura.camp")
    assert dashboard.locator("#links-count").inner_text() == ("3 links sent or clicked in the last 7 days in aura.camp")


def test_the_per_icp_table_ranks_icps_by_click_rate(dashboard, api):
    """The ICP guide's metrics per ICP, click rate first, from GET /api/stats/icp-metrics/."""
    assert len(api.get("/api/stats/icp-metrics/").json()) == 5
    assert icp_rows(dashboard) == [
        ["Commercial Senior", "1", "1", "100%", "1", "1 d"],
        ["CTO", "1", "1", "100%", "1", "1 d"],
        ["Non défini", "1", "1", "100%", "2", "10 d"],
        ["CEO", "2", "1", "50%", "3", "30 min"],
        ["Manager Commercial", "1", "0", "0%", "–", "–"],
    ]
    assert dashboard.get_attribute("#icp-table th:nth-child(4)", "aria-sort") == "descending"


def test_the_per_icp_table_sorts_by_each_column(dashboard):
    """A header button sorts by its column (numbers largest first, names A to Z), twice reverses it."""
    dashboard.click("#icp-table button[data-sort=links_sent]")
    assert [row[0] for row in icp_rows(dashboard)] == [
        "CEO",
        "Commercial Senior",
        "CTO",
        "Manager Commercial",
        "Non défini",
    ]
    assert dashboard.get_attribute("#icp-table th:nth-child(2)", "aria-sort") == "descending"
    assert dashboard.get_attribute("#icp-table th:nth-child(4)", "aria-sort") == "none"
    dashboard.click("#icp-table button[data-sort=icp]")
    assert [row[0] for row in icp_rows(dashboard)] == [
        "CEO",
        "Commercial Senior",
        "CTO",
        "Manager Commercial",
        "Non défini",
    ]
    dashboard.click("#icp-table button[data-sort=icp]")
    assert dashboard.get_attribute("#icp-table th:nth-child(1)", "aria-sort") == "descending"
    assert [row[0] for row in icp_rows(dashboard)][0] == "Non défini"
    dashboard.click("#icp-table button[data-sort=avg_time_to_first_click]")
    assert [row[5] for row in icp_rows(dashboard)] == ["10 d", "1 d", "1 d", "30 min", "–"]


def test_twenty_icps_share_the_pie_with_one_others_slice(page, live_server, operator):
    """With 20 ICPs the pie keeps the 7 largest and one "Others" slice for the 13 smallest."""
    now = timezone.now()
    for rank in range(20):
        link = make_link(email=f"p{rank}@example.com", icp=f"ICP {rank + 1:02d}", created_at=now - timedelta(days=1))
        for _ in range(20 - rank):
            make_click(link, clicked_at=now - timedelta(hours=1))
    log_in(page, live_server)
    wait_for_figures(page)
    slices = [(item["name"], item["value"]) for item in chart_option(page, "icp-chart")["series"][0]["data"]]
    assert slices == [*[(f"ICP {rank:02d}", 21 - rank) for rank in range(1, 8)], ("Others", 91)]
    page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('icp-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 7})"
    )
    tooltip = page.locator("#icp-chart .chart-tooltip").inner_text().strip().splitlines()
    assert tooltip[0] == "Others: 91 clicks (43%)"
    assert tooltip[1].startswith("ICP 08 (13), ICP 09 (12), ")
    assert len(icp_rows(page)) == 20


def test_the_sankey_leaves_out_empty_stages(page, live_server, operator):
    """One link clicked once: no "Not clicked" nor "Clicked 2+ times" node drawn at zero."""
    make_click(make_link(), clicked_at=timezone.now())
    log_in(page, live_server)
    wait_for_figures(page)
    series = chart_option(page, "funnel-chart")["series"][0]
    assert [(node["name"], node["value"]) for node in series["data"]] == [
        ("Sent", 1),
        ("Clicked", 1),
        ("Clicked once", 1),
    ]
    assert [link["target"] for link in series["links"]] == ["Clicked", "Clicked once"]


def test_tooltips_read_like_the_icp_guide_in_english(dashboard):
    """The pure formatter: "CEO: 45 clicks (35%)", singular for one click."""
    assert call_module(dashboard, "format.js", "m.shareTooltip('CEO', 45, 35, labels)") == "CEO: 45 clicks (35%)"
    assert call_module(dashboard, "format.js", "m.shareTooltip('CTO', 1, 2.46, labels)") == "CTO: 1 click (2.5%)"


def test_kpi_changes_against_the_previous_period_are_worded_simply(dashboard):
    """formatChange: signed difference, points for rates, nothing without a previous period."""
    change = "m.formatChange({current}, {previous}, '{kind}', labels)"
    cases = {
        change.format(current=12, previous=10, kind="count"): {"direction": "up", "text": "+2 vs previous period"},
        change.format(current=38.5, previous=41, kind="rate"): {
            "direction": "down",
            "text": "−2.5 pts vs previous period",
        },
        change.format(current=3600, previous=7200, kind="duration"): {
            "direction": "down",
            "text": "−1 h vs previous period",
        },
        change.format(current=4, previous=4, kind="count"): {"direction": "same", "text": "±0 vs previous period"},
        change.format(current=4, previous="null", kind="count"): None,
        change.format(current=4, previous="undefined", kind="count"): None,
    }
    for expression, expected in cases.items():
        assert call_module(dashboard, "format.js", expression) == expected, expression


def test_kpi_cards_show_the_change_when_the_api_gives_a_previous_period(page, live_server, prospects):
    """An overview with `previous` adds a change line under each card; without it, none shows."""
    # The previous period's figures, set against the current ones: +2 sent, +1 clicked, ...
    differences = {
        "links_sent": -2,
        "links_clicked": -2,
        "click_rate": -25,
        "total_clicks": 4,
        "unique_clickers": 0,
        "avg_clicks_per_clicker": -0.2,
        "median_time_to_first_click": 1800,
        "avg_time_to_first_click": 0,
    }

    def add_previous(route):
        response = route.fetch()
        overview = response.json()
        overview["previous"] = (
            None
            if "range=all" in route.request.url
            else {key: overview[key] + difference for key, difference in differences.items()}
        )
        route.fulfill(response=response, json=overview)

    page.route("**/api/stats/overview/**", add_previous)
    log_in(page, live_server)
    wait_for_figures(page)
    assert page.locator(".kpi-change:visible").count() == 0
    page.click(".period-button[data-range='7d']")
    wait_for_figures(page, "range=7d")
    changes = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-change]')]"
        ".map(node => [node.dataset.change, node.hidden ? null : node.textContent]))"
    )
    assert changes == {
        "links_sent": "+2 vs previous period",
        "links_clicked": "+2 vs previous period",
        "click_rate": "+25 pts vs previous period",
        "avg_clicks_per_clicker": "+0.2 vs previous period",
        "median_time_to_first_click": "−30 min vs previous period",
        "unique_clickers": "±0 vs previous period",
        "total_clicks": "−4 vs previous period",
        "bot_clicks_filtered": None,
    }


def test_every_column_of_the_table_is_visible_at_1440_pixels(page, live_server, prospects):
    """Name to Delete fit a 1440x900 screen without scrolling sideways, even with a very long e-mail."""
    make_link(
        email="a.very.long.first.name.and.last.name@a-very-long-company-domain-name.example.com",
        first_name="Marie-Charlotte-Alexandrine",
        last_name="de La Rochefoucauld-Montmorency",
        icp="Responsable Développement Commercial Grands Comptes",
        campaign="a-very-long-campaign-name-for-the-spring-recruitment.fr",
    )
    log_in(page, live_server)
    wait_for_figures(page)
    headers = page.locator("#links-table thead th").all_inner_texts()
    assert headers == [
        "NAME",
        "EMAIL",
        "ICP",
        "CAMPAIGN",
        "CLICKS",
        "FIRST CLICK",
        "LAST CLICK",
        "STATUS",
        "ACTIONS",
    ]
    for cell in page.locator("#links-table thead th").all():
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 1440
    for button in page.locator("#links-table .delete-link").all():
        box = button.bounding_box()
        assert button.is_visible() and box["x"] + box["width"] <= 1440 - 16
    scroll = page.evaluate(
        "() => { const box = document.querySelector('#links-table').closest('.table-scroll');"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert scroll[0] == scroll[1]
    assert page.evaluate("() => document.documentElement.scrollWidth") == 1440


def test_on_a_phone_the_clicks_and_status_stay_visible(browser, live_server, prospects):
    """At 390x844 each row shows the name, its clicks, its status and Delete; lesser columns step aside."""
    page = new_page(browser, "en", 390, 844)
    log_in(page, live_server)
    wait_for_figures(page)
    row = page.locator("#links-table tbody tr").first
    for column in ("col-name", "col-clicks", "col-status", "col-actions"):
        cell = row.locator(f"td.{column}")
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, column
    for column in ("col-email", "col-icp", "col-campaign", "col-first-click", "col-last-click"):
        assert not row.locator(f"td.{column}").is_visible(), column
    assert row.locator("td.col-status").inner_text() == "Clicked"
    assert row.locator("td.col-clicks").inner_text() == "3"
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
    page.context.close()


def test_every_time_is_in_the_named_server_zone_whatever_the_browser_zone(
    browser, live_server, prospects, api, settings
):
    """TIME_ZONE Europe/Paris, a browser in New York: the page names Paris and shows Paris times."""
    settings.TIME_ZONE = "Europe/Paris"
    page = new_page(browser, "en", timezone_id="America/New_York")
    log_in(page, live_server)
    wait_for_figures(page)
    assert page.locator("#time-zone-note").inner_text() == "Times in Europe/Paris"
    assert page.locator("#heatmap-chart").locator("xpath=..").locator("h2").inner_text() == (
        "When prospects click (Europe/Paris time)"
    )
    john = next(link for link in api.get("/api/links/").json()["results"] if link["email"] == "john@company.com")
    first_click = john["first_click"]
    assert first_click.endswith(("+01:00", "+02:00"))
    row = page.locator(f"#links-table tr[data-link-id='{prospects['john'].id}']")
    expected = f"{first_click[5:7]}/{first_click[8:10]}/{first_click[:4]} {first_click[11:16]}"
    assert row.locator("td.col-first-click").inner_text() == expected
    paris_now = timezone.now().astimezone(ZoneInfo("Europe/Paris"))
    shown = page.locator("#last-refresh").inner_text()
    assert shown in {f"Data as of {moment:%H:%M}" for moment in (paris_now, paris_now - timedelta(minutes=1))}
    heatmap = api.get("/api/stats/heatmap/").json()
    drawn = sorted(chart_option(page, "heatmap-chart")["series"][0]["data"])
    assert drawn == sorted([hour, weekday, clicks] for weekday, hour, clicks in heatmap["cells"])
    page.context.close()


def test_polling_pauses_while_the_tab_is_hidden(page, live_server, prospects):
    """A hidden tab does not refresh; showing it again refreshes at once when the figures are stale."""
    page.clock.install()
    log_in(page, live_server)
    wait_for_figures(page)
    assert kpis(page)["total_clicks"] == "7"
    page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    make_click(prospects["jane"])
    page.clock.run_for(95_000)
    page.wait_for_timeout(300)
    assert kpis(page)["total_clicks"] == "7"
    page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    page.wait_for_function("() => document.querySelector('[data-kpi=total_clicks]').textContent === '8'")


def test_each_refresh_tells_other_widgets_the_filters(dashboard):
    """A "dashboard:refresh" event carries the filters, so a widget in its own module can follow them."""
    dashboard.evaluate(
        "() => { window.seenFilters = [];"
        " document.getElementById('dashboard').addEventListener('dashboard:refresh',"
        " event => window.seenFilters.push(event.detail.filters)); }"
    )
    dashboard.click(".period-button[data-range='30d']")
    wait_for_figures(dashboard, "range=30d")
    assert dashboard.evaluate("() => window.seenFilters") == ["range=30d"]
