"""Each click keeps the country its full address is registered to, even though the address is anonymised."""

import ipaddress
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_click, make_link
from tests.tracker.user_agents import CHROME
from tracker.countries import country_of
from tracker.models import Click


def a_minute_ago():
    """Settled: out of the burst window, as the command's clicks are."""
    return timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("90.84.10.17", "FR"),
        ("85.214.132.117", "DE"),
        ("2a01:e0a:1f3:5c40:8d2f:3a1b:c2d4:9e10", "FR"),
        ("10.1.2.3", ""),  # private
        ("127.0.0.1", ""),
    ],
)
def test_an_address_gives_the_country_it_is_registered_to(address, country):
    assert country_of(ipaddress.ip_address(address)) == country


def test_no_address_has_no_country():
    assert country_of(None) == ""


@pytest.mark.django_db
def test_a_click_stores_the_country_of_its_full_address_before_anonymising(client):
    """90.84.10.17 is stored as 90.84.10.0, with FR looked up from the whole address (and the
    device read from the user agent)."""
    link = make_link()
    client.get(f"/t/{link.token}", REMOTE_ADDR="90.84.10.17", HTTP_USER_AGENT=CHROME)
    click = Click.objects.get()
    assert (click.ip, click.country, click.device_type) == ("90.84.10.0", "FR", "desktop")


@pytest.mark.django_db
def test_a_click_from_a_private_network_has_no_country(client):
    link = make_link()
    client.get(f"/t/{link.token}", REMOTE_ADDR="192.168.1.20", HTTP_USER_AGENT=CHROME)
    assert Click.objects.get().country == ""


@pytest.mark.django_db
def test_the_backfill_fills_countries_only_from_full_addresses(settings):
    """describe_clicks: with ANONYMIZE_IPS=false the stored address is whole, so its country is found;
    every click not described yet gets its device."""
    settings.ANONYMIZE_IPS = False
    link = make_link()
    stored_before = {"country": "", "device_type": "", "os": "", "browser": ""}
    make_click(link, a_minute_ago(), ip="85.214.132.117", user_agent=CHROME, **stored_before)
    make_click(link, a_minute_ago(), ip=None, user_agent="", **stored_before)
    call_command("describe_clicks", stdout=StringIO())
    assert sorted(Click.objects.values_list("country", "device_type", "os")) == [
        ("", "other", ""),
        ("DE", "desktop", "Windows"),
    ]


@pytest.mark.django_db
def test_the_backfill_leaves_countries_of_anonymised_addresses_alone():
    """With ANONYMIZE_IPS on (the default) stored addresses are /24s: the command says so."""

    link = make_link()
    stored_before = {"country": "", "device_type": "", "os": "", "browser": ""}  # before countries and devices
    make_click(link, a_minute_ago(), ip="85.214.132.0", user_agent=CHROME, **stored_before)
    out = StringIO()
    call_command("describe_clicks", "--sharing", stdout=out)
    assert Click.objects.get().country == ""
    text = out.getvalue()
    assert "Described the device of 1 clicks." in text
    assert "Countries left as they are" in text
    assert "Recomputed the forwarding evidence of 1 links." in text
