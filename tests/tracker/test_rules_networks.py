"""Rule 4: clicks from mail-security providers' published networks are scanners."""

import pytest

from tests.factories import make_link
from tests.tracker.click_facts import click_facts
from tests.tracker.user_agents import CHROME
from tracker.classification import classify
from tracker.models import Click

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "ip, reason",
    [
        ("40.92.12.34", "network: Microsoft EOP 40.92.0.0/15"),
        ("40.93.250.1", "network: Microsoft EOP 40.92.0.0/15"),
        ("40.107.66.5", "network: Microsoft EOP 40.107.0.0/16"),
        ("52.101.1.1", "network: Microsoft EOP 52.100.0.0/14"),
        ("104.47.12.9", "network: Microsoft EOP 104.47.0.0/17"),
        ("2a01:111:f400:7e1b::5", "network: Microsoft EOP 2a01:111:f400::/48"),
        ("64.235.150.10", "network: Barracuda 64.235.144.0/20"),
        ("209.222.82.4", "network: Barracuda 209.222.80.0/21"),
        ("205.139.110.66", "network: Mimecast 205.139.110.0/24"),
        ("67.231.150.1", "network: Proofpoint 67.231.144.0/20"),
        ("148.163.150.20", "network: Proofpoint 148.163.128.0/19"),
    ],
)
def test_a_plain_browser_agent_from_a_gateway_network_is_a_scanner(ip, reason):
    """Safe Links and friends send an ordinary Chrome agent; their network gives them away."""
    assert classify(click_facts(ip=ip, user_agent=CHROME)) == ("scanner", reason)


@pytest.mark.parametrize("ip", ["82.64.10.77", "104.47.128.1", "40.94.0.1", "2a01:e0a:1f3:5c40::1", None])
def test_addresses_outside_the_ranges_are_human(ip):
    """Just outside a range, a home ISP or no address at all: no network verdict."""
    assert classify(click_facts(ip=ip)) == ("human", "")


def test_ranges_narrower_than_24_are_checked_on_the_full_address(client):
    """The rule runs before anonymising: 209.66.100.70 is in a /26 its /24 start is not in."""
    link = make_link()
    client.get(f"/t/{link.token}", REMOTE_ADDR="209.66.100.70", HTTP_USER_AGENT=CHROME)
    client.get(f"/t/{link.token}", REMOTE_ADDR="209.66.100.7", HTTP_USER_AGENT=CHROME)
    assert list(Click.objects.order_by("id").values_list("ip", "verdict", "reason")) == [
        ("209.66.100.0", "scanner", "network: Proofpoint 209.66.100.64/26"),
        ("209.66.100.0", "human", ""),
    ]
