"""Each link's clicks by country and by device, recounted by the worker, behind the all-time
countries and devices figures."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.city_database import BERLIN_ADDRESS, PARIS_ADDRESS, write_city_database
from tests.factories import make_click, make_link
from tests.tracker.user_agents import CHROME, MOBILE_SAFARI
from tracker.derivation import derive_click_figures, mark_figures_stale
from tracker.devices import describe_new_clicks
from tracker.models import Click, LinkCountryCount, LinkDeviceCount
from tracker.recording import click_facts, record_click

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def world():
    """Two campaigns, as the worker leaves them (clicks derived and described):

    | link           | campaign | clicks                                                      |
    | john@acme.com  | acme     | FR Chrome -3d, FR Chrome -2d, DE iPhone -1d; scanner US -3d |
    | jane@acme.com  | acme     | FR iPhone -5h                                               |
    | paul@globex.io | globex   | BE Chrome -40d; bot US -2h                                  |
    """
    with time_machine.travel(NOW, tick=False):
        john = make_link(email="john@acme.com", campaign="acme")
        jane = make_link(email="jane@acme.com", campaign="acme")
        paul = make_link(email="paul@globex.io", campaign="globex")
        make_click(john, NOW - 3 * DAY, user_agent=CHROME, country="FR")
        make_click(john, NOW - 2 * DAY, user_agent=CHROME, country="FR")
        make_click(john, NOW - DAY, user_agent=MOBILE_SAFARI, country="DE")
        make_click(john, NOW - 3 * DAY + timedelta(seconds=5), verdict="scanner", country="US")
        make_click(jane, NOW - 5 * HOUR, user_agent=MOBILE_SAFARI, country="FR")
        make_click(paul, NOW - 40 * DAY, user_agent=CHROME, country="BE")
        make_click(paul, NOW - 2 * HOUR, verdict="bot", user_agent="python-requests/2.32.3", country="US")
        assert describe_new_clicks() == 0  # each click was described as it was stored
        yield {"john": john, "jane": jane, "paul": paul}


def figure(api, path, query=""):
    response = api.get(f"/api/stats/{path}/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def country_rows():
    return sorted(LinkCountryCount.objects.values_list("link__email", "country", "human_clicks", "all_clicks"))


def test_a_worker_pass_counts_each_links_clicks_per_country(world):
    """One row per link and country, human and all clicks apart."""
    assert country_rows() == [
        ("jane@acme.com", "FR", 1, 1),
        ("john@acme.com", "DE", 1, 1),
        ("john@acme.com", "FR", 2, 2),
        ("john@acme.com", "US", 0, 1),
        ("paul@globex.io", "BE", 1, 1),
        ("paul@globex.io", "US", 0, 1),
    ]


def test_a_worker_pass_counts_each_links_clicks_per_city_within_its_country(api):
    """With a city database the rows go down to the city; the countries figure sums them."""
    with time_machine.travel(NOW, tick=False):
        john = make_link(email="john@acme.com")
        make_click(john, NOW - 2 * DAY, country="FR", city="Paris")
        make_click(john, NOW - DAY, country="FR", city="Paris")
        make_click(john, NOW - HOUR, country="FR", city="Lyon")
        make_click(john, NOW - HOUR, country="FR")  # no city known for its address
        make_click(john, NOW - 3 * DAY, verdict="scanner", country="DE", city="Berlin")

    assert sorted(LinkCountryCount.objects.values_list("country", "city", "human_clicks", "all_clicks")) == [
        ("DE", "Berlin", 0, 1),
        ("FR", "", 1, 1),
        ("FR", "Lyon", 1, 1),
        ("FR", "Paris", 2, 2),
    ]
    assert figure(api, "countries") == [{"country": "FR", "clicks": 4}]
    assert figure(api, "cities", "?include_bots=true") == [
        {"country": "FR", "city": "Paris", "clicks": 2},
        {"country": "DE", "city": "Berlin", "clicks": 1},
        {"country": "FR", "city": "Lyon", "clicks": 1},
    ]


def test_all_time_countries_sum_the_links_rows(api, world):
    assert figure(api, "countries") == [
        {"country": "FR", "clicks": 3},
        {"country": "BE", "clicks": 1},
        {"country": "DE", "clicks": 1},
    ]


def test_all_time_countries_with_bots_add_the_machine_clicks(api, world):
    assert figure(api, "countries", "?include_bots=true") == [
        {"country": "FR", "clicks": 3},
        {"country": "US", "clicks": 2},
        {"country": "BE", "clicks": 1},
        {"country": "DE", "clicks": 1},
    ]


def test_all_time_countries_of_one_campaign_read_only_its_links(api, world):
    assert figure(api, "countries", "?campaign=globex") == [{"country": "BE", "clicks": 1}]
    assert figure(api, "countries", "?campaign=globex&include_bots=true") == [
        {"country": "BE", "clicks": 1},
        {"country": "US", "clicks": 1},
    ]


def test_all_time_devices_sum_the_links_described_rows(api, world):
    assert figure(api, "devices") == {
        "device_types": [{"name": "desktop", "clicks": 3}, {"name": "mobile", "clicks": 2}],
        "os": [{"name": "Windows", "clicks": 3}, {"name": "iOS", "clicks": 2}],
        "browsers": [{"name": "Chrome", "clicks": 3}, {"name": "Mobile Safari", "clicks": 2}],
    }


def test_all_time_devices_of_one_campaign_with_bots(api, world):
    """acme with machine clicks: the scanner had no user agent (device "other", OS and browser unknown)."""
    assert figure(api, "devices", "?campaign=acme&include_bots=true") == {
        "device_types": [
            {"name": "desktop", "clicks": 2},
            {"name": "mobile", "clicks": 2},
            {"name": "other", "clicks": 1},
        ],
        "os": [{"name": "Windows", "clicks": 2}, {"name": "iOS", "clicks": 2}, {"name": "", "clicks": 1}],
        "browsers": [
            {"name": "Chrome", "clicks": 2},
            {"name": "Mobile Safari", "clicks": 2},
            {"name": "", "clicks": 1},
        ],
    }


def test_a_period_still_counts_its_clicks(api, world):
    """range=7d reads the clicks themselves: paul's BE click (-40d) is out."""
    with time_machine.travel(NOW, tick=False):
        assert figure(api, "countries", "?range=7d") == [{"country": "FR", "clicks": 3}, {"country": "DE", "clicks": 1}]


def test_device_rows_follow_the_describe_job_on_the_next_pass():
    """A click stored without its device (before devices were described) counts as unknown; once the
    describe job has described it, the worker's next pass moves it to its device."""
    with time_machine.travel(NOW, tick=False):
        link = make_link()
        make_click(link, NOW - HOUR, user_agent=MOBILE_SAFARI, device_type="", os="", browser="")  # stored before
        assert list(LinkDeviceCount.objects.values_list("device_type", "os", "browser", "human_clicks")) == [
            ("", "", "", 1)
        ]
        describe_new_clicks()
        derive_click_figures()
        assert list(LinkDeviceCount.objects.values_list("device_type", "os", "browser", "human_clicks")) == [
            ("mobile", "iOS", "Mobile Safari", 1)
        ]


def test_a_reclassified_click_moves_between_human_and_machine_on_the_next_pass(api, world):
    """john's DE click turns out to be a scanner: DE leaves the human figure, stays with bots."""
    click = Click.objects.get(link=world["john"], country="DE")
    with transaction.atomic():
        mark_figures_stale(Click.objects.filter(pk=click.pk))
        Click.objects.filter(pk=click.pk).update(verdict="scanner", reason="known scanner network")
    assert ("john@acme.com", "DE", 1, 1) in country_rows()  # until the worker's pass

    derive_click_figures()

    assert ("john@acme.com", "DE", 0, 1) in country_rows()
    assert {"country": "DE", "clicks": 1} not in figure(api, "countries")
    assert {"country": "DE", "clicks": 1} in figure(api, "countries", "?include_bots=true")


def test_a_deleted_link_takes_its_rows_with_it(api, world):
    world["paul"].delete()
    derive_click_figures()

    assert not LinkCountryCount.objects.filter(link_id=world["paul"].pk).exists()
    assert not LinkDeviceCount.objects.filter(link_id=world["paul"].pk).exists()
    assert figure(api, "countries", "?include_bots=true") == [
        {"country": "FR", "clicks": 3},
        {"country": "DE", "clicks": 1},
        {"country": "US", "clicks": 1},
    ]


def test_a_click_not_derived_yet_waits_for_the_worker_in_all_time_figures(api, world):
    """All time is as fresh as the worker's last pass, like the other all-time figures."""
    with time_machine.travel(NOW, tick=False):
        facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=NOW)
        record_click(world["jane"].pk, facts, known_verdict=("human", ""))
        assert figure(api, "countries")[0] == {"country": "FR", "clicks": 3}
        derive_click_figures()
        assert {"country": "", "clicks": 1} in figure(api, "countries")


def test_recount_clicks_rebuilds_damaged_rows(world):
    """Rows lost or wrong: `manage.py recount_clicks` puts them back from the clicks."""
    before = country_rows()
    devices_before = sorted(
        LinkDeviceCount.objects.values_list("link_id", "device_type", "os", "browser", "all_clicks")
    )
    LinkCountryCount.objects.filter(country="FR").delete()
    LinkCountryCount.objects.filter(country="US").update(all_clicks=9)
    LinkDeviceCount.objects.all().delete()

    call_command("recount_clicks", stdout=io.StringIO())

    assert country_rows() == before
    assert (
        sorted(LinkDeviceCount.objects.values_list("link_id", "device_type", "os", "browser", "all_clicks"))
        == devices_before
    )


def test_countries_found_by_the_backfill_reach_the_rows_on_the_next_pass(settings):
    """describe_clicks with full addresses kept: a click stored before countries moves from unknown
    to its country once the worker passes."""
    settings.ANONYMIZE_IPS = False
    with time_machine.travel(NOW, tick=False):
        link = make_link()
        make_click(link, NOW - HOUR, ip="85.214.132.117", user_agent=CHROME, country="")
        assert list(LinkCountryCount.objects.values_list("country", "human_clicks")) == [("", 1)]

        call_command("describe_clicks", stdout=io.StringIO())
        derive_click_figures()

        assert list(LinkCountryCount.objects.values_list("country", "human_clicks")) == [("DE", 1)]
        assert list(LinkDeviceCount.objects.values_list("device_type", "os", "browser")) == [
            ("desktop", "Windows", "Chrome")
        ]


def test_cities_found_by_the_backfill_reach_the_rows_on_the_next_pass(settings, tmp_path):
    """describe_clicks after the operator adds a city database (full addresses kept): clicks stored
    without a city move to their city's row once the worker passes."""
    settings.ANONYMIZE_IPS = False
    with time_machine.travel(NOW, tick=False):
        link = make_link()
        make_click(link, NOW - HOUR, ip=PARIS_ADDRESS, user_agent=CHROME)  # no city database yet
        make_click(link, NOW - HOUR, ip=BERLIN_ADDRESS, user_agent=CHROME)
        assert sorted(LinkCountryCount.objects.values_list("country", "city", "human_clicks")) == [
            ("DE", "", 1),
            ("FR", "", 1),
        ]

        settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)
        call_command("describe_clicks", stdout=io.StringIO())
        derive_click_figures()

        assert sorted(LinkCountryCount.objects.values_list("country", "city", "human_clicks")) == [
            ("DE", "Berlin", 1),
            ("FR", "Paris", 1),
        ]


@pytest.mark.django_db(transaction=True)
def test_upgrading_counts_the_clicks_already_stored():
    """Migration 0009 counts every stored click per link and country, and per link and device
    (blank until described), in one statement per table."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("links", "0007_icp_spelling"), ("tracker", "0008_click_country_device")])
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([("tracker", "0008_click_country_device")]).apps
    Campaign, Link = old_apps.get_model("links", "Campaign"), old_apps.get_model("links", "Link")
    Click = old_apps.get_model("tracker", "Click")
    acme = Campaign.objects.create(name="acme")
    john = Link.objects.create(token="tok-john", email="john@acme.com", campaign=acme, destination_url="https://a.io")
    Click.objects.create(link=john, clicked_at=NOW, verdict="human", country="FR", device_type="mobile", os="iOS")
    Click.objects.create(link=john, clicked_at=NOW, verdict="human", country="FR")
    Click.objects.create(link=john, clicked_at=NOW, verdict="scanner", country="US", device_type="other")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert sorted(LinkCountryCount.objects.values_list("link_id", "country", "human_clicks", "all_clicks")) == [
        (john.pk, "FR", 2, 2),
        (john.pk, "US", 0, 1),
    ]
    assert sorted(
        LinkDeviceCount.objects.values_list("device_type", "os", "browser", "human_clicks", "all_clicks")
    ) == [("", "", "", 1, 1), ("mobile", "iOS", "", 1, 1), ("other", "", "", 0, 1)]


@pytest.mark.django_db(transaction=True)
def test_upgrading_recounts_the_links_clicked_from_a_city_into_rows_per_city():
    """Migration 0015: the rows stored before cities hold a blank city; the links with a click in a
    city are marked for the worker's recount, which splits their rows by city; the others keep theirs."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("tracker", "0014_admin_names_translated")])
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([("tracker", "0014_admin_names_translated")]).apps
    Campaign, Link = old_apps.get_model("links", "Campaign"), old_apps.get_model("links", "Link")
    OldClick, OldCountryCount = (
        old_apps.get_model("tracker", "Click"),
        old_apps.get_model("tracker", "LinkCountryCount"),
    )
    acme = Campaign.objects.create(name="acme")
    john = Link.objects.create(token="tok-john", email="john@acme.com", campaign=acme, destination_url="https://a.io")
    jane = Link.objects.create(token="tok-jane", email="jane@acme.com", campaign=acme, destination_url="https://a.io")
    for link, country, city in ((john, "FR", "Paris"), (john, "FR", "Lyon"), (jane, "DE", "")):
        OldClick.objects.create(link=link, clicked_at=NOW, verdict="human", country=country, city=city)
    OldCountryCount.objects.create(link=john, country="FR", human_clicks=2, all_clicks=2)
    OldCountryCount.objects.create(link=jane, country="DE", human_clicks=1, all_clicks=1)
    old_apps.get_model("tracker", "ClickDerivation").objects.update_or_create(  # derived up to the last click
        pk=1, defaults={"last_click_id": OldClick.objects.latest("id").pk}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    def rows():
        return sorted(LinkCountryCount.objects.values_list("link_id", "country", "city", "human_clicks"))

    assert rows() == [(john.pk, "FR", "", 2), (jane.pk, "DE", "", 1)]  # until the worker passes
    derive_click_figures()
    assert rows() == [(john.pk, "FR", "Lyon", 1), (john.pk, "FR", "Paris", 1), (jane.pk, "DE", "", 1)]
