"""The top cities under the countries chart: listed from /api/stats/cities/ when clicks have a city
(the operator's GEOIP_MMDB_PATH database), absent otherwise."""

import pytest

from tests.analytics.conftest import HOUR, ago, frozen_time  # noqa: F401 (fixture)
from tests.city_database import BERLIN_ADDRESS, LYON_ADDRESS, PARIS_ADDRESS, write_city_database
from tests.e2e.conftest import log_in
from tests.factories import make_click, make_link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for_insights(page):
    page.wait_for_function("() => document.getElementById('insights').dataset.loadedFilters === ''", timeout=15_000)


def test_the_countries_card_lists_the_top_cities(page, live_server, operator, settings, tmp_path, frozen_time):  # noqa: F811
    """Paris 2, Berlin 1, Lyon 1 (ties by name), each with its country and clicks."""
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)
    link = make_link(created_at=ago(3 * HOUR))
    for ip in (PARIS_ADDRESS, PARIS_ADDRESS, BERLIN_ADDRESS, LYON_ADDRESS):
        make_click(link, ago(HOUR), ip=ip)
    log_in(page, live_server)
    wait_for_insights(page)
    assert page.locator("#top-cities").is_visible()
    assert page.locator("#top-cities h3").inner_text() == "Top cities"
    assert page.locator("#top-cities-list li").all_inner_texts() == [
        "Paris, France 2",
        "Berlin, Germany 1",
        "Lyon, France 1",
    ]


def test_without_cities_the_countries_card_shows_no_list(page, live_server, operator, settings, frozen_time):  # noqa: F811
    settings.GEOIP_MMDB_PATH = ""
    make_click(make_link(created_at=ago(3 * HOUR)), ago(HOUR), ip=PARIS_ADDRESS)
    log_in(page, live_server)
    wait_for_insights(page)
    assert page.locator("#top-cities").is_hidden()
    assert page.locator("#top-cities-list li").count() == 0
