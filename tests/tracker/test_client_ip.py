"""Whose IP is stored: the socket's, unless a trusted proxy header is configured."""

import pytest

from tests.factories import make_link
from tests.tracker.user_agents import CHROME
from tracker.models import Click

pytestmark = pytest.mark.django_db


def click_from(client, **headers):
    link = make_link()
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, **headers)
    return Click.objects.get()


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client):
    """Anyone can write X-Forwarded-For; without the setting the socket address counts."""
    click = click_from(client, REMOTE_ADDR="82.64.10.77", HTTP_X_FORWARDED_FOR="40.92.1.2")
    assert (click.ip, click.verdict) == ("82.64.10.0", "human")


def test_the_right_most_address_of_the_trusted_header_is_the_client(client, settings):
    """Our proxy appends the address it saw; that one is the client."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    click = click_from(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 82.64.10.77")
    assert click.ip == "82.64.10.0"


def test_a_forged_left_entry_cannot_make_a_human_look_like_a_scanner(client, settings):
    """Addresses left of the proxy's entry were written by the client and are ignored."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    click = click_from(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="40.92.1.2, 82.64.10.77")
    assert (click.ip, click.verdict, click.reason) == ("82.64.10.0", "human", "")


def test_the_network_rules_see_the_trusted_client_address(client, settings):
    """A scanner behind our proxy is still recognised by its network."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    click = click_from(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="40.92.1.2")
    assert (click.ip, click.verdict, click.reason) == ("40.92.1.0", "scanner", "network: Microsoft EOP 40.92.0.0/15")


def test_invalid_entries_are_skipped_for_the_right_most_valid_one(client, settings):
    """Garbage at the end of the header does not erase the client."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    click = click_from(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="82.64.10.77, unknown")
    assert click.ip == "82.64.10.0"


def test_the_socket_address_is_used_when_the_trusted_header_is_missing(client, settings):
    """A request that bypassed the proxy header falls back to REMOTE_ADDR."""
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    click = click_from(client, REMOTE_ADDR="82.64.10.77")
    assert click.ip == "82.64.10.0"


def test_an_ipv4_mapped_ipv6_address_is_stored_as_ipv4(client):
    """::ffff:a.b.c.d from dual-stack sockets is the IPv4 client."""
    click = click_from(client, REMOTE_ADDR="::ffff:82.64.10.77")
    assert click.ip == "82.64.10.0"
