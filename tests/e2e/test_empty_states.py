"""Empty dashboards explain what to do next."""

import pytest

from tests.e2e.conftest import log_in, wait_for_figures
from tests.factories import make_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_with_no_links_the_dashboard_shows_how_to_set_up_clay(page, live_server, operator, artifacts):
    """No links yet: the Clay HTTP API setup (URL, token header, body, curl) replaces the figures."""
    log_in(page, live_server)
    wait_for_figures(page)
    setup = page.locator("#clay-setup")
    assert setup.is_visible()
    assert not page.locator("#figures").is_visible()
    assert page.locator("#clay-url").inner_text() == f"{live_server.url}/api/links/"
    assert "Authorization: Token <your API token>" in setup.inner_text()
    assert '"ICP": "{{ICP}}"' in page.locator("#clay-body").inner_text()
    assert page.locator("#clay-curl").inner_text().startswith(f"curl -X POST {live_server.url}/api/links/")
    assert "python manage.py api_token create admin --scope ingest --name Clay" in setup.inner_text()
    assert "var/admin-credentials.txt" in setup.inner_text()
    page.screenshot(path=str(artifacts / "dashboard-empty.png"), full_page=True)


def test_with_links_but_no_clicks_the_dashboard_says_so(page, live_server, operator):
    """Links sent, nobody clicked yet: a notice says so and the charts explain why they are empty."""
    make_link()
    log_in(page, live_server)
    wait_for_figures(page)
    assert not page.locator("#clay-setup").is_visible()
    assert page.locator("#no-clicks").inner_text().startswith("No clicks yet for these filters.")
    assert (
        page.evaluate("() => echarts.getInstanceByDom(document.getElementById('icp-chart')).getOption().title[0].text")
        == "No ICP has clicked yet"
    )
