"""Tell people from machines: the rules that give every click its verdict and reason.

Each rule takes the facts of one click and returns (verdict, reason) or None. `classify` applies
them in a fixed order, cheapest and surest first, and falls back to a human click. The
signatures (user agents, referrer hosts, network ranges) live in data/signatures.json.
"""

import ipaddress
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from django.conf import settings

from tracker.client_ip import client_network
from tracker.internal import NO_TRACK_PARAMETER, internal_networks
from tracker.models import Verdict

SIGNATURES_FILE = Path(__file__).resolve().parent / "data" / "signatures.json"

# Plain strings, not the enum members: they go straight into SQL parameters.
HUMAN = Verdict.HUMAN.value
SCANNER = Verdict.SCANNER.value
PREVIEW = Verdict.PREVIEW.value
PREFETCH = Verdict.PREFETCH.value
BOT = Verdict.BOT.value
INTERNAL = Verdict.INTERNAL.value

BURST_REASON_PREFIX = "burst:"
RECENT_CLICKS_LIMIT = 50  # a burst needs two; bounds the work when a link is being hammered

# The request headers the rules read, by name, with their WSGI META keys.
HINT_HEADERS = {
    "Sec-Purpose": "HTTP_SEC_PURPOSE",
    "Purpose": "HTTP_PURPOSE",
    "X-Purpose": "HTTP_X_PURPOSE",
    "X-Moz": "HTTP_X_MOZ",
}


@dataclass(frozen=True, slots=True)
class RecentClick:
    """An earlier click on the same link, inside the burst window."""

    id: int
    network: ipaddress.IPv4Address | ipaddress.IPv6Address | None  # its /24 or /48
    verdict: str


class ClickFacts(NamedTuple):
    """What the rules may look at for one click. A NamedTuple: built for every click, and a
    frozen dataclass costs twice as much to build."""

    headers: dict  # HINT_HEADERS present on the request; empty when re-classifying stored clicks
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None  # full address live, anonymised when stored
    user_agent: str
    referer: str
    sent_at: datetime | None  # when the link was sent to the prospect, if Clay told us
    clicked_at: datetime
    recent_clicks: tuple = ()  # up to RECENT_CLICKS_LIMIT RecentClick on this link, BURST_WINDOW_SECONDS back
    team_browser: bool = False  # the request carried the team cookie (tracker.internal)
    no_track: bool = False  # the tracking URL was opened with ?lt_no_track


def hint_headers(meta):
    """Return the prefetch/preview hint headers of a request's META, by header name."""
    return {name: meta[key] for name, key in HINT_HEADERS.items() if key in meta}


def _load_signatures():
    with SIGNATURES_FILE.open(encoding="utf-8") as file:
        data = json.load(file)
    user_agents = tuple(
        (re.compile(entry["pattern"], re.IGNORECASE), Verdict(entry["verdict"]).value, entry["name"])
        for entry in data["user_agents"]
    )
    referrers = {entry["host"].lower(): entry["name"] for entry in data["referrers"]}
    # {IP version: {prefix length: {network number: "name cidr"}}}: a membership test costs one
    # shift and one dict lookup per distinct prefix length, whatever the number of ranges.
    networks = {4: {}, 6: {}}
    for entry in data["networks"]:
        network = ipaddress.ip_network(entry["cidr"])
        shift = network.max_prefixlen - network.prefixlen
        by_number = networks[network.version].setdefault(network.prefixlen, {})
        by_number[int(network.network_address) >> shift] = f"{entry['name']} {network}"
    return user_agents, referrers, networks


USER_AGENT_SIGNATURES, SCANNER_REFERRER_HOSTS, SCANNER_NETWORKS = _load_signatures()

_crawler_detect = CrawlerDetect()  # ~1,500 patterns compiled once; it keeps state, hence the lock
_crawler_detect_lock = threading.Lock()


def internal_click(facts):
    """The team's own click: opened with ?lt_no_track, from a team browser, or from one of
    INTERNAL_NETWORKS. First, so that a teammate's click never becomes a hot lead."""
    if facts.no_track:
        return INTERNAL, f"request: {NO_TRACK_PARAMETER}"
    if facts.team_browser:
        return INTERNAL, "request: team browser cookie"
    if facts.ip is not None:
        for network in internal_networks():
            if facts.ip in network:
                return INTERNAL, f"network: internal {network}"
    return None


def purpose_headers(facts):
    """Browsers announce speculative loads: Sec-Purpose/Purpose prefetch or prerender, Safari's
    X-Purpose: preview, Firefox's X-Moz: prefetch."""
    for name in ("Sec-Purpose", "Purpose"):
        value = facts.headers.get(name, "").lower()
        if "prerender" in value:
            return PREFETCH, f"header: {name} prerender"
        if "prefetch" in value:
            return PREFETCH, f"header: {name} prefetch"
    if "preview" in facts.headers.get("X-Purpose", "").lower():
        return PREVIEW, "header: X-Purpose preview"
    if "prefetch" in facts.headers.get("X-Moz", "").lower():
        return PREFETCH, "header: X-Moz prefetch"
    return None


def user_agent_signature(facts):
    """Our signatures first (previewers, mail scanners, HTTP libraries), then crawlerdetect;
    a click without a user agent is a bot."""
    if not facts.user_agent.strip():
        return BOT, "ua: empty"
    return _user_agent_verdict(facts.user_agent)


@lru_cache(maxsize=4096)
def _user_agent_verdict(user_agent):
    # A handful of user agents make almost all clicks: cache, crawlerdetect costs ~35 µs a call.
    for pattern, verdict, name in USER_AGENT_SIGNATURES:
        if pattern.search(user_agent):
            return verdict, f"ua: {name}"
    with _crawler_detect_lock:
        if _crawler_detect.isCrawler(user_agent):
            return BOT, f"ua: crawler {_crawler_detect.getMatches()}"[:100]
    return None


def scanner_referrer(facts):
    """A Referer on a mail-security host (or a subdomain of one) means its sandbox opened the link."""
    if not facts.referer:
        return None
    try:
        host = (urlsplit(facts.referer).hostname or "").rstrip(".")
    except ValueError:
        return None
    while host:
        if host in SCANNER_REFERRER_HOSTS:
            return SCANNER, f"referer: {host}"
        host = host.partition(".")[2]
    return None


def mail_security_network(facts):
    """The click comes from a mail-security provider's published network range."""
    address = facts.ip
    if address is None:
        return None
    number = int(address)
    for prefix_length, ranges in SCANNER_NETWORKS[address.version].items():
        network = ranges.get(number >> (address.max_prefixlen - prefix_length))
        if network is not None:
            return SCANNER, f"network: {network}"
    return None


def right_after_sending(facts):
    """Gateways open links as the message arrives; nobody reads and clicks within
    SCANNER_WINDOW_SECONDS of the send (a click before sent_at is no prospect either)."""
    if facts.sent_at is None:
        return None
    seconds = (facts.clicked_at - facts.sent_at).total_seconds()
    if seconds < 0:
        return SCANNER, "timing: before sent_at"
    if seconds < settings.SCANNER_WINDOW_SECONDS:
        return SCANNER, f"timing: {seconds:.0f}s after sent_at"
    return None


def burst_of_networks(facts):
    """One prospect's link opened from two or more networks within BURST_WINDOW_SECONDS is a
    scanner farm fanning out, not a person."""
    own_network = client_network(facts.ip)
    networks = {
        click.network for click in facts.recent_clicks if click.network is not None and click.network != own_network
    }
    if networks:
        return SCANNER, f"{BURST_REASON_PREFIX} {len(networks) + 1} networks in {settings.BURST_WINDOW_SECONDS}s"
    return None


RULES = (
    internal_click,
    purpose_headers,
    user_agent_signature,
    scanner_referrer,
    mail_security_network,
    right_after_sending,
    burst_of_networks,
)


def classify(facts):
    """Return (verdict, reason) of the first rule that recognises a machine, else ("human", "")."""
    for rule in RULES:
        outcome = rule(facts)
        if outcome is not None:
            return outcome
    return HUMAN, ""


def burst_companions(facts, reason):
    """Return the ids of the earlier human clicks that a burst verdict also marks as scanner."""
    if not reason.startswith(BURST_REASON_PREFIX):
        return []
    return [click.id for click in facts.recent_clicks if click.verdict == HUMAN]
