"""Screenshots of the demo dashboard on a laptop and on a phone, in English and in French (saved to
test-artifacts/ to be looked at)."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.e2e.conftest import log_in, new_page, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COUNTS = {
    "en": "300 links sent or clicked since the first link",
    "fr": "300 liens envoyés ou cliqués depuis le premier lien",
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name, width, height", [("desktop", 1440, 900), ("phone", 390, 844)])
def test_the_demo_dashboard_fits_the_screen(browser, live_server, operator, artifacts, language, name, width, height):
    """The page never scrolls sideways, and the links table shows its 25 first rows of 300."""
    call_command("seed_demo", prospects=300, stdout=StringIO())
    page = new_page(browser, language, width, height)
    log_in(page, live_server)
    wait_for_figures(page)
    page.wait_for_timeout(1200)  # let the charts' entry animations finish before the picture
    page.screenshot(path=str(artifacts / f"dashboard-{name}-{language}.png"), full_page=True)
    page.screenshot(path=str(artifacts / f"dashboard-{name}-{language}-first-screen.png"))
    page.locator(".links-card").screenshot(path=str(artifacts / f"dashboard-{name}-{language}-links.png"))
    page.locator(".chart-row").first.screenshot(path=str(artifacts / f"dashboard-{name}-{language}-funnel-and-pie.png"))
    page.locator(".icp-metrics-card").screenshot(path=str(artifacts / f"dashboard-{name}-{language}-icp-table.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") == width
    assert page.locator("#links-table tbody tr").count() == 25
    assert page.locator("#links-count").inner_text() == COUNTS[language]
    page.context.close()
