"""What Clay sends is untrusted: markup in a prospect's name shows as text and never runs."""

import pytest
from django.utils import timezone

from tests.e2e.conftest import chart_option, log_in, wait_for_figures
from tests.factories import make_click, make_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOAD = "<img src=x onerror=alert(1)>"
FLAG_PAYLOAD = "<img src=x onerror=window.injected=1>"


def test_markup_in_a_first_name_shows_as_text_in_the_table_the_chart_and_its_tooltip(page, live_server, operator):
    """A first name like <img src=x onerror=alert(1)> is shown literally everywhere; no script runs."""
    link = make_link(first_name=PAYLOAD, last_name="Doe", icp=FLAG_PAYLOAD, campaign="<b>aura</b>.camp")
    make_click(link, clicked_at=timezone.now())
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in(page, live_server)
    wait_for_figures(page)

    first_row = page.locator("#links-table tbody tr").first
    assert first_row.locator("td").nth(0).inner_text() == f"{PAYLOAD} Doe"
    assert first_row.locator("td").nth(2).inner_text() == FLAG_PAYLOAD
    assert first_row.locator("td").nth(3).inner_text() == "<b>aura</b>.camp"
    assert page.locator("#campaign-select option").nth(1).inner_text() == "<b>aura</b>.camp (1)"
    assert chart_option(page, "top-clickers-chart")["yAxis"][0]["data"] == [f"{PAYLOAD} Doe"]

    page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('top-clickers-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})"
    )
    tooltip = page.locator("#top-clickers-chart .chart-tooltip")
    assert tooltip.inner_text().splitlines()[:3] == [
        f"{PAYLOAD} Doe",
        "john@company.com",
        f"{FLAG_PAYLOAD} · <b>aura</b>.camp",
    ]
    page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('icp-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})"
    )
    assert page.locator("#icp-chart .chart-tooltip").inner_text().strip() == f"{FLAG_PAYLOAD}: 1 click (100%)"

    page.wait_for_timeout(300)  # give an injected onerror the time to fire
    assert page.locator("#dashboard img").count() == 0
    assert page.evaluate("() => window.injected") is None
    assert dialogs == []
