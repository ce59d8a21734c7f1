"""The rules apply in a fixed order; the first that recognises a machine names the reason."""

import datetime
import ipaddress

from tests.tracker.click_facts import NOON, click_facts
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.classification import RULES, RecentClick, classify

EOP_IP = "40.92.12.34"
SAFE_LINKS = "https://eur02.safelinks.protection.outlook.com/?url=x"


def test_the_rules_run_internal_headers_agent_referer_network_timing_burst():
    """The team's own clicks first (never a hot lead), then cheapest and surest first."""
    assert [rule.__name__ for rule in RULES] == [
        "internal_click",
        "purpose_headers",
        "user_agent_signature",
        "scanner_referrer",
        "mail_security_network",
        "right_after_sending",
        "burst_of_networks",
    ]


def test_a_prefetch_header_wins_over_the_user_agent():
    """A browser prefetch is a prefetch whatever agent it carries."""
    assert classify(click_facts(headers={"Sec-Purpose": "prefetch"}, user_agent=SLACKBOT)) == (
        "prefetch",
        "header: Sec-Purpose prefetch",
    )


def test_the_user_agent_wins_over_the_referer_and_network():
    """A previewer that names itself is a preview, wherever it runs from."""
    assert classify(click_facts(user_agent=SLACKBOT, referer=SAFE_LINKS, ip=EOP_IP)) == ("preview", "ua: Slackbot")


def test_the_referer_wins_over_the_network():
    """The referer names the exact service; the network only its owner."""
    assert classify(click_facts(user_agent=CHROME, referer=SAFE_LINKS, ip=EOP_IP)) == (
        "scanner",
        "referer: safelinks.protection.outlook.com",
    )


def test_the_network_wins_over_timing():
    """A known gateway network is the surer sign than an early click."""
    facts = click_facts(ip=EOP_IP, sent_at=NOON - datetime.timedelta(seconds=5), clicked_at=NOON)
    assert classify(facts) == ("scanner", "network: Microsoft EOP 40.92.0.0/15")


def test_timing_wins_over_a_burst():
    """A click right after sending is explained by timing before any burst."""
    other_network = RecentClick(id=1, network=ipaddress.ip_address("20.1.2.0"), verdict="human")
    facts = click_facts(sent_at=NOON - datetime.timedelta(seconds=5), clicked_at=NOON, recent_clicks=(other_network,))
    assert classify(facts) == ("scanner", "timing: 5s after sent_at")
