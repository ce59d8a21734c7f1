"""With the operator's city database (GEOIP_MMDB_PATH), each click also keeps the city of its full
address; without it, or when the database has no city for the address, the city is blank. The
database is a real MaxMind-format file (tests/city_database.py) read by the real reader."""

import ipaddress
import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path

import maxminddb
import pytest
from django.core import checks
from django.core.management import call_command
from django.utils import timezone

from tests.city_database import (
    BERLIN_ADDRESS,
    COUNTRY_ONLY_ADDRESS,
    LYON_ADDRESS,
    PARIS_ADDRESS,
    UNLISTED_ADDRESS,
    write_city_database,
)
from tests.factories import make_click, make_link
from tests.tracker.user_agents import CHROME
from tracker.checks import check_city_database
from tracker.countries import city_of
from tracker.held_clicks import hold_click, write_held_clicks
from tracker.models import Click
from tracker.recording import click_facts


@pytest.fixture
def city_database(tmp_path, settings):
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)
    return settings.GEOIP_MMDB_PATH


@pytest.fixture
def damaged_city_database(tmp_path, settings):
    """A city database whose search tree is intact and whose records are garbage: it opens, and
    every lookup of a listed address fails."""
    path = Path(write_city_database(tmp_path))
    with maxminddb.open_database(str(path)) as database:
        metadata = database.metadata()
    data_start = metadata.node_count * metadata.record_size * 2 // 8 + 16
    content = bytearray(path.read_bytes())
    content[data_start : data_start + 60] = b"\xff" * 60
    path.write_bytes(bytes(content))
    settings.GEOIP_MMDB_PATH = str(path)
    return str(path)


def address(text):
    return ipaddress.ip_address(text)


def a_minute_ago():
    return timezone.now() - timedelta(minutes=1)


def click_from(client, remote_address):
    link = make_link()
    response = client.get(f"/t/{link.token}", REMOTE_ADDR=remote_address, HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response["Location"]) == (302, link.destination_url)
    return Click.objects.get()


@pytest.mark.parametrize(
    ("ip", "city"),
    [
        (PARIS_ADDRESS, "Paris"),
        (BERLIN_ADDRESS, "Berlin"),
        (LYON_ADDRESS, "Lyon"),
        (COUNTRY_ONLY_ADDRESS, ""),  # the database knows its country only
        (UNLISTED_ADDRESS, ""),  # no record at all
        ("10.1.2.3", ""),
    ],
)
def test_an_address_gives_the_city_the_database_places_it_in(city_database, ip, city):
    assert city_of(address(ip)) == city


def test_no_address_has_no_city(city_database):
    assert city_of(None) == ""


def test_without_a_city_database_no_address_has_a_city(settings):
    settings.GEOIP_MMDB_PATH = ""
    assert city_of(address(PARIS_ADDRESS)) == ""


@pytest.mark.django_db
def test_a_click_stores_the_city_of_its_full_address_before_anonymising(client, city_database):
    """90.84.10.17 is stored as 90.84.10.0, with Paris and FR looked up from the whole address."""
    click = click_from(client, PARIS_ADDRESS)
    assert (click.ip, click.country, click.city) == ("90.84.10.0", "FR", "Paris")


@pytest.mark.django_db
def test_an_ipv6_click_stores_its_city(client, city_database):
    click = click_from(client, LYON_ADDRESS)
    assert (click.ip, click.country, click.city) == ("2a01:e0a:1f3::", "FR", "Lyon")


@pytest.mark.django_db
def test_a_network_known_by_its_country_only_gives_no_city_and_keeps_iptoccs_country(client, city_database):
    click = click_from(client, COUNTRY_ONLY_ADDRESS)
    assert (click.country, click.city) == ("US", "")


@pytest.mark.django_db
def test_an_address_the_database_does_not_list_has_no_city(client, city_database):
    click = click_from(client, UNLISTED_ADDRESS)
    assert (click.country, click.city) == ("US", "")


@pytest.mark.django_db
def test_without_a_city_database_clicks_have_no_city(client, settings):
    settings.GEOIP_MMDB_PATH = ""
    click = click_from(client, PARIS_ADDRESS)
    assert (click.country, click.city) == ("FR", "")


@pytest.mark.django_db
def test_a_city_database_that_is_not_one_costs_the_click_its_city_only(client, settings, tmp_path, caplog):
    """Not a MaxMind file: the redirect and the click as usual, no city, one log line."""
    not_a_database = tmp_path / "GeoLite2-City.mmdb"
    not_a_database.write_text("<html>Rate limited</html>")
    settings.GEOIP_MMDB_PATH = str(not_a_database)
    with caplog.at_level(logging.ERROR, logger="tracker.countries"):
        click = click_from(client, PARIS_ADDRESS)
    assert (click.country, click.city, click.verdict) == ("FR", "", "human")
    assert [record.getMessage() for record in caplog.records] == [
        f"The city database GEOIP_MMDB_PATH={not_a_database} cannot be read, clicks get no city: "
        f"Error opening database file ({not_a_database}). Is this a valid MaxMind DB file?"
    ]


@pytest.mark.django_db
def test_a_missing_city_database_costs_the_click_its_city_only(client, settings, tmp_path):
    settings.GEOIP_MMDB_PATH = str(tmp_path / "nowhere.mmdb")
    click = click_from(client, PARIS_ADDRESS)
    assert (click.country, click.city) == ("FR", "")


@pytest.mark.django_db
def test_a_damaged_record_costs_the_click_its_city_only(client, damaged_city_database, caplog):
    """The file opens but the record of 90.84.10.17 is garbage: 302, the click stored, a log line."""
    with caplog.at_level(logging.ERROR, logger="tracker.countries"):
        click = click_from(client, PARIS_ADDRESS)
    assert (click.country, click.city) == ("FR", "")
    assert [record.getMessage() for record in caplog.records] == [
        f"City lookup of {PARIS_ADDRESS} failed in {damaged_city_database}: the click is stored without its city"
    ]


@pytest.mark.django_db
def test_a_click_held_during_an_outage_keeps_its_city(city_database):
    """Looked up when the click is held: the spool keeps only the anonymised address."""
    link = make_link()
    facts = click_facts(
        ip=address(BERLIN_ADDRESS), user_agent=CHROME, referer="", sent_at=None, clicked_at=a_minute_ago()
    )
    hold_click(link.id, facts)
    assert write_held_clicks() == 1
    assert Click.objects.values_list("ip", "country", "city").get() == ("85.214.132.0", "DE", "Berlin")


def test_the_check_passes_without_a_city_database_or_with_a_readable_one(settings, tmp_path):
    settings.GEOIP_MMDB_PATH = ""
    assert check_city_database() == []
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)
    assert check_city_database() == []


def test_a_missing_city_database_is_an_error(settings, tmp_path):
    settings.GEOIP_MMDB_PATH = str(tmp_path / "GeoLite2-City.mmdb")
    [problem] = check_city_database()
    assert (problem.id, problem.msg) == (
        "tracker.E005",
        f"GEOIP_MMDB_PATH names a file that does not exist: {tmp_path / 'GeoLite2-City.mmdb'}.",
    )


@pytest.mark.parametrize("database_type", ["GeoIP2-City", "DBIP-City-Lite", "GeoIP2-Enterprise"])
def test_the_check_passes_with_the_city_databases_of_other_vendors(settings, tmp_path, database_type):
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path, database_type=database_type)
    assert check_city_database() == []


@pytest.mark.parametrize("database_type", ["GeoLite2-Country", "GeoLite2-ASN", "DBIP-Country-Lite"])
def test_a_database_without_cities_is_a_warning(settings, tmp_path, database_type):
    """A country or ASN database reads fine and gives no city: the operator downloaded the wrong file."""
    path = write_city_database(
        tmp_path, networks={"90.84.10.0/24": {"country": {"iso_code": "FR"}}}, database_type=database_type
    )
    settings.GEOIP_MMDB_PATH = path
    [problem] = check_city_database()
    assert (problem.level, problem.id, problem.msg) == (
        checks.WARNING,
        "tracker.W003",
        f"GEOIP_MMDB_PATH={path} is a {database_type} database, not a city database: clicks get no city.",
    )


@pytest.mark.parametrize("make_path", [lambda directory: directory, lambda directory: directory / "city.tar.gz"])
def test_a_file_that_is_not_a_maxmind_database_is_an_error(settings, tmp_path, make_path):
    """A directory, or the archive the database came in, not extracted."""
    path = make_path(tmp_path)
    if path != tmp_path:
        path.write_bytes(b"\x1f\x8b\x08\x00 not a database")
    settings.GEOIP_MMDB_PATH = str(path)
    [problem] = check_city_database()
    assert problem.id == "tracker.E005"
    assert problem.msg.startswith(f"GEOIP_MMDB_PATH={path} is not a readable MaxMind database: ")


@pytest.mark.django_db
def test_the_backfill_fills_cities_from_full_addresses(settings, tmp_path):
    """describe_clicks: clicks stored before the database came (ANONYMIZE_IPS=false) get their city;
    those without a full address or a city in the database stay blank."""
    settings.ANONYMIZE_IPS = False
    settings.GEOIP_MMDB_PATH = ""
    link = make_link()
    for ip in (PARIS_ADDRESS, LYON_ADDRESS, COUNTRY_ONLY_ADDRESS, None):
        make_click(link, a_minute_ago(), ip=ip, user_agent=CHROME)
    assert set(Click.objects.values_list("city", flat=True)) == {""}
    settings.GEOIP_MMDB_PATH = write_city_database(tmp_path)
    out = StringIO()
    call_command("describe_clicks", stdout=out)
    assert sorted(Click.objects.values_list("country", "city")) == [
        ("", ""),
        ("FR", "Lyon"),
        ("FR", "Paris"),
        ("US", ""),
    ]
    assert "Found the city of 2 clicks." in out.getvalue()
    assert "cities: 100%" in out.getvalue()


@pytest.mark.django_db
def test_the_backfill_leaves_cities_of_anonymised_addresses_alone(settings, city_database):
    link = make_link()
    make_click(link, a_minute_ago(), ip="90.84.10.0", user_agent=CHROME, city="")  # stored before the database
    out = StringIO()
    call_command("describe_clicks", stdout=out)
    assert Click.objects.get().city == ""
    assert "Cities left as they are: stored addresses are anonymised (ANONYMIZE_IPS)" in out.getvalue()


@pytest.mark.django_db
def test_the_backfill_says_when_there_is_no_city_database(settings):
    settings.ANONYMIZE_IPS = False
    settings.GEOIP_MMDB_PATH = ""
    out = StringIO()
    call_command("describe_clicks", stdout=out)
    assert "Cities left as they are: no city database (GEOIP_MMDB_PATH)." in out.getvalue()
