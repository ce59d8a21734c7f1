"""Screenshots of the demo dashboard on a laptop and on a phone (saved to test-artifacts/)."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.e2e.conftest import log_in, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("name, width, height", [("desktop", 1440, 900), ("phone", 390, 844)])
def test_the_demo_dashboard_fits_the_screen(page, live_server, operator, artifacts, name, width, height):
    """The page never scrolls sideways: only the links table does, inside its own box."""
    call_command("seed_demo", prospects=300, stdout=StringIO())
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server)
    wait_for_figures(page)
    page.wait_for_timeout(1200)  # let the charts' entry animations finish before the picture
    page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") == width
    assert page.locator("#links-table tbody tr").count() == 25
    assert page.locator("#page-info").inner_text() == "Page 1 · 300 links"
