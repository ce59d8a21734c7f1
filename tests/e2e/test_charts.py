"""Each chart draws the numbers of its API endpoint, not just a canvas."""

import pytest

from tests.e2e.conftest import chart_option, log_in, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dashboard(page, live_server, prospects):
    log_in(page, live_server)
    wait_for_figures(page)
    return page


def test_the_sankey_funnel_draws_the_funnel_of_the_api(dashboard, api):
    """Nodes and weighted edges of the Sankey equal GET /api/stats/funnel/ (empty edges left out)."""
    funnel = api.get("/api/stats/funnel/").json()
    series = chart_option(dashboard, "funnel-chart")["series"][0]
    assert series["type"] == "sankey"
    assert [(node["name"], node["value"]) for node in series["data"]] == [
        (node["name"], node["value"]) for node in funnel["nodes"]
    ]
    assert [(node["name"], node["value"]) for node in series["data"]] == [
        ("Sent", 6),
        ("Clicked", 4),
        ("Not clicked", 2),
        ("Clicked once", 2),
        ("Clicked 2+ times", 2),
    ]
    assert series["links"] == [link for link in funnel["links"] if link["value"] > 0]


def test_the_icp_pie_shows_the_icps_that_clicked(dashboard, api):
    """The pie's slices are /api/icp-stats: ICPs that clicked, with Non défini for links without ICP."""
    series = chart_option(dashboard, "icp-chart")["series"][0]
    slices = [(item["name"], item["value"]) for item in series["data"]]
    assert slices == [(row["icp"], row["click_count"]) for row in api.get("/api/icp-stats").json()]
    assert slices[:2] == [("CEO", 3), ("Non défini", 2)]
    assert sorted(slices[2:]) == [("CTO", 1), ("Commercial Senior", 1)]


def test_the_pie_sits_to_the_right_of_the_funnel(dashboard):
    """On a laptop screen the ICP pie is beside the Sankey, on its right (the dashboard's layout)."""
    funnel = dashboard.locator("#funnel-chart").bounding_box()
    pie = dashboard.locator("#icp-chart").bounding_box()
    assert pie["x"] > funnel["x"] + funnel["width"]
    assert abs(pie["y"] - funnel["y"]) < 5


def test_the_pie_tooltip_gives_count_and_percentage(dashboard):
    """Hovering the CEO slice reads "CEO: 3 clicks (43%)" (the ICP guide's wording)."""
    dashboard.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('icp-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})"
    )
    assert dashboard.locator("#icp-chart .chart-tooltip").inner_text().strip() == "CEO: 3 clicks (43%)"


def test_the_heatmap_spans_the_api_maximum(dashboard, api):
    """The heatmap's colour scale tops out at the API's busiest weekday-hour and draws all 168 cells."""
    heatmap = api.get("/api/stats/heatmap/").json()
    option = chart_option(dashboard, "heatmap-chart")
    assert option["visualMap"][0]["max"] == heatmap["max"]
    cells = option["series"][0]["data"]
    assert len(cells) == 168
    assert max(cell[2] for cell in cells) == heatmap["max"]
    assert sorted([hour, weekday, clicks] for weekday, hour, clicks in heatmap["cells"]) == sorted(cells)


def test_top_clickers_are_ranked_by_clicks(dashboard, api):
    """The bar chart lists the API's top clickers, the most active at the top."""
    option = chart_option(dashboard, "top-clickers-chart")
    top = api.get("/api/stats/top-clickers/", {"limit": 10}).json()
    names_top_down = list(reversed(option["yAxis"][0]["data"]))
    assert names_top_down == [f"{row['first_name']} {row['last_name']}" for row in top]
    assert names_top_down[:2] == ["John Doe", "Paul Martin"]
    assert [bar["value"] for bar in reversed(option["series"][0]["data"])] == [row["clicks"] for row in top]


def test_the_timeline_draws_the_clicks_per_day(dashboard, api):
    """The timeline's points are GET /api/stats/timeline/'s, in order."""
    timeline = api.get("/api/stats/timeline/").json()
    series = chart_option(dashboard, "timeline-chart")["series"][0]
    assert series["data"] == [point["clicks"] for point in timeline["points"]]
    assert sum(series["data"]) == 7
