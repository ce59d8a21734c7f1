"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import make_click, make_link

CHROMIUM = "/usr/bin/chromium"
# Headless Chromium announces "HeadlessChrome", which the click classifier rightly calls a bot.
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # No skip when the browser is missing: a dashboard nobody could test is a failure.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "user_agent": DESKTOP_CHROME,
        "viewport": {"width": 1440, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page, live_server, next_path="/dashboard/"):
    """Log the operator in through the login form and wait for the dashboard's figures."""
    page.goto(f"{live_server.url}{next_path}")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "s3cret-pass-phrase")
    page.click(".login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/**")


def wait_for_figures(page, filters="range=all"):
    """Wait until every widget is drawn for `filters` (the query string the script sent)."""
    page.wait_for_function(
        "filters => document.getElementById('dashboard').dataset.loadedFilters === filters",
        arg=filters,
        timeout=15_000,
    )


def chart_option(page, element_id):
    """The chart's option, minus functions (formatters) that cannot leave the browser."""
    return page.evaluate(
        "id => JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById(id)).getOption()))",
        element_id,
    )


KPI_KEYS = ("links_sent", "links_clicked", "click_rate", "total_clicks", "unique_clickers", "bot_clicks_filtered")


def kpis(page):
    """The KPI cards' values as shown, by figure."""
    shown = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-kpi]')]"
        ".map(node => [node.dataset.kpi, node.textContent]))"
    )
    return {key: shown[key] for key in KPI_KEYS}


def percent_as_shown(value):
    """The page's percentages: whole numbers from 10 %, one decimal below (rounded half up, as Intl)."""
    digits = Decimal("1") if value >= 10 else Decimal("0.1")
    return f"{Decimal(str(value)).quantize(digits, rounding=ROUND_HALF_UP).normalize():f}%"


def kpis_expected(overview):
    """What the KPI cards must show for an overview answer of the API (English page)."""
    return {
        "links_sent": str(overview["links_sent"]),
        "links_clicked": str(overview["links_clicked"]),
        "click_rate": percent_as_shown(overview["click_rate"]),
        "total_clicks": str(overview["total_clicks"]),
        "unique_clickers": str(overview["unique_clickers"]),
        "bot_clicks_filtered": str(overview["bot_clicks_filtered"]),
    }


def new_page(browser, language="en", width=1440, height=900, touch=False, timezone_id=None):
    """A page in a fresh browser context whose language is `language` (locale and Accept-Language)."""
    locale = {"en": "en-US", "fr": "fr-FR"}[language]
    context = browser.new_context(
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{language};q=0.9"},
        user_agent=DESKTOP_CHROME,
        viewport={"width": width, "height": height},
        has_touch=touch,
        is_mobile=touch,
        accept_downloads=True,
        **({"timezone_id": timezone_id} if timezone_id else {}),
    )
    return context.new_page()


@pytest.fixture
def prospects(operator):
    """Two campaigns of prospects, recent and older, human and machine clicks."""
    now = timezone.now()
    john = make_link(
        email="john@company.com",
        first_name="John",
        last_name="Doe",
        icp="CEO",
        campaign="aura.camp",
        created_at=now - timedelta(hours=2),
    )
    for minutes in (90, 60, 30):
        make_click(john, clicked_at=now - timedelta(minutes=minutes))
    jane = make_link(
        email="jane@startup.io",
        first_name="Jane",
        last_name="Smith",
        icp="CTO",
        campaign="aura.camp",
        created_at=now - timedelta(days=3),
    )
    make_click(jane, clicked_at=now - timedelta(days=2))
    paul = make_link(
        email="paul@industrie.fr",
        first_name="Paul",
        last_name="Martin",
        icp=None,
        campaign="aura.camp",
        created_at=now - timedelta(days=20),
    )
    make_click(paul, clicked_at=now - timedelta(days=10))
    make_click(paul, clicked_at=now - timedelta(days=9))
    scanned = make_link(
        email="marc@bank.com",
        first_name="Marc",
        last_name="Petit",
        icp="CEO",
        campaign="aura.camp",
        created_at=now - timedelta(days=1),
    )
    make_click(scanned, clicked_at=now - timedelta(days=1), verdict="scanner", reason="test")
    helene = make_link(
        email="helene@wesser.fr",
        first_name="Hélène",
        last_name="Lefèvre",
        icp="Commercial Senior",
        campaign="wesser-recrutement.fr",
        created_at=now - timedelta(days=5),
    )
    make_click(helene, clicked_at=now - timedelta(days=4))
    make_click(helene, clicked_at=now - timedelta(days=4, hours=-1), verdict="preview", reason="test")
    make_link(
        email="luc@agence.fr",
        first_name="Luc",
        last_name="Garnier",
        icp="Manager Commercial",
        campaign="wesser-recrutement.fr",
        created_at=now - timedelta(days=40),
    )
    return {"john": john, "jane": jane, "paul": paul, "scanned": scanned, "helene": helene}
