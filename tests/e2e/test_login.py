"""The operator logs in through the login form and lands on the dashboard."""

import pytest

from tests.e2e.conftest import log_in, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_logging_in_through_the_form_opens_the_dashboard(page, live_server, operator):
    """A logged-out visit of /dashboard/ asks for the password, then shows the dashboard."""
    page.goto(f"{live_server.url}/dashboard/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/dashboard/"
    log_in(page, live_server)
    wait_for_figures(page)
    assert page.url == f"{live_server.url}/dashboard/"
    assert page.locator(".topnav").inner_text().count("Log out operator") == 1


def test_a_wrong_password_says_so(page, live_server, operator, artifacts):
    """A typo keeps the operator on the login page with an explanation."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "not-the-password")
    page.click(".login-form button[type=submit]")
    assert page.locator(".form-error").inner_text() == "Your username and password didn't match. Please try again."
    assert page.url == f"{live_server.url}/accounts/login/"
    # Only once the answer page is shown: a capture during the POST's navigation fails in Chromium.
    page.screenshot(path=str(artifacts / "login-error.png"))


def test_no_request_of_the_team_pages_fails(page, live_server, operator):
    """The login page, the dashboard and the admin load every resource they ask for: the browser's
    icon request included (a page without a declared icon makes it ask /favicon.ico, a 404 in the
    console of every first visit)."""
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    log_in(page, live_server)
    wait_for_figures(page)
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").headers["content-type"] == "image/svg+xml"
    assert failed == []
