"""A small known world for the analytics tests, with time frozen at NOW (Tuesday 24 Nov 2026,
12:00 UTC). Every figure the tests assert can be worked out by hand from this table.

| link                          | campaign              | ICP                | created | clicks (human unless noted)              |
| ----------------------------- | --------------------- | ------------------ | ------- | ---------------------------------------- |
| alice (Alice Martin)          | wesser-recrutement.fr | Commercial Senior  | -2d     | scanner -2d+1min; -2d+1h, -2d+3h, -1h    |
| bruno (Bruno Petit)           | wesser-recrutement.fr | Manager Commercial | -35d    | -34d; exactly -7d (on the 7d boundary)   |
| chloe (Chloé Durand)          | wesser-recrutement.fr | (none)             | -3h     | -2h                                      |
| denis (Denis Moreau)          | aura.camp             | CEO                | -40d    | -39d, -25d, -6d; bot -30min              |
| emma (Emma Leroy)             | aura.camp             | CTO                | -20d    | -20d+30min, -12h                         |
| farid (Farid Benali)          | aura.camp             | CEO                | -5d     | scanner -5d+1min, preview -5d+2min       |
| gaelle (Gaëlle Roux)          | demo-saas.io          | CTO                | -1d     | none                                     |
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import make_click, make_link

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def ago(delta):
    return NOW - delta


@pytest.fixture
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(db, frozen_time):
    """The links of the table above, by first name."""
    links = {
        "alice": make_link(
            first_name="Alice",
            last_name="Martin",
            email="alice@wesser.fr",
            campaign="wesser-recrutement.fr",
            icp="Commercial Senior",
            created_at=ago(2 * DAY),
        ),
        "bruno": make_link(
            first_name="Bruno",
            last_name="Petit",
            email="bruno@wesser.fr",
            campaign="wesser-recrutement.fr",
            icp="Manager Commercial",
            created_at=ago(35 * DAY),
        ),
        "chloe": make_link(
            first_name="Chloé",
            last_name="Durand",
            email="chloe@wesser.fr",
            campaign="wesser-recrutement.fr",
            icp=None,
            created_at=ago(3 * HOUR),
        ),
        "denis": make_link(
            first_name="Denis",
            last_name="Moreau",
            email="denis@aura.camp",
            campaign="aura.camp",
            icp="CEO",
            created_at=ago(40 * DAY),
        ),
        "emma": make_link(
            first_name="Emma",
            last_name="Leroy",
            email="emma@aura.camp",
            campaign="aura.camp",
            icp="CTO",
            created_at=ago(20 * DAY),
        ),
        "farid": make_link(
            first_name="Farid",
            last_name="Benali",
            email="farid@aura.camp",
            campaign="aura.camp",
            icp="CEO",
            created_at=ago(5 * DAY),
        ),
        "gaelle": make_link(
            first_name="Gaëlle",
            last_name="Roux",
            email="gaelle@demo-saas.io",
            campaign="demo-saas.io",
            icp="CTO",
            created_at=ago(1 * DAY),
        ),
    }
    make_click(links["alice"], ago(2 * DAY - MINUTE), verdict="scanner", reason="seconds after creation")
    make_click(links["alice"], ago(2 * DAY - HOUR))
    make_click(links["alice"], ago(2 * DAY - 3 * HOUR))
    make_click(links["alice"], ago(HOUR))
    make_click(links["bruno"], ago(34 * DAY))
    make_click(links["bruno"], ago(7 * DAY))
    make_click(links["chloe"], ago(2 * HOUR))
    make_click(links["denis"], ago(39 * DAY))
    make_click(links["denis"], ago(25 * DAY))
    make_click(links["denis"], ago(6 * DAY))
    make_click(links["denis"], ago(30 * MINUTE), verdict="bot", reason="crawler user agent")
    make_click(links["emma"], ago(20 * DAY - 30 * MINUTE))
    make_click(links["emma"], ago(12 * HOUR))
    make_click(links["farid"], ago(5 * DAY - MINUTE), verdict="scanner", reason="seconds after creation")
    make_click(links["farid"], ago(5 * DAY - 2 * MINUTE), verdict="preview", reason="link preview agent")
    # As on a running server, the worker's pass after each click (make_click) derived the counters
    # and rolled up the quarters closed before 11:45 (tracker.derivation).
    return links


# ---- accounts, forwarded links, countries and devices ----------------------------------------------

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
IPAD_SAFARI = (
    "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0"
PARIS_NETWORK, BERLIN_NETWORK = "90.84.10.0", "85.214.132.0"  # /24s of 90.84.10.17 (FR), 85.214.132.117 (DE)


@pytest.fixture
def accounts_world(db, frozen_time):
    """Campaign outbound-q4, stored as the worker leaves it (devices described, sharing evidence):

    | prospect               | ICP      | created | human clicks (UA, network, country)                    |
    | ceo@acme.com           | CEO      | -3d     | -2d, -1d (Windows Chrome, Paris, FR)                   |
    | cto@acme.com           | CTO      | -3d     | -30h (iPhone, Paris, FR)                               |
    | vp@acme.com            | VP Sales | -3d     | -20h (Mac Firefox, Berlin, DE); scanner -3d+1min (US)  |
    | ops@acme.com           | (none)   | -3d     | scanner -3d+1min (US) only                             |
    | fin@acme.com           | CFO      | -3d     | none                                                   |
    | jean.dupont@orange.fr  | CEO      | -3d     | -10h (iPad, Paris, FR)                                 |
    | marie@gmail.com        | CMO      | -3d     | none                                                   |
    | Paul@Hotmail.FR        | (none)   | -3d     | -5h (iPhone, no address, unknown country)              |
    | a@globex.io            | CTO      | -3d     | -2d (Windows Chrome, Berlin, DE); -1d, -1d+2min        |
    |                        |          |         | (iPhone, Paris, FR): forwarded (2 devices, 24 h apart) |
    | b@globex.io            | CEO      | -12h    | -6h (Windows Chrome, Berlin, DE); -6h+10min (iPhone,   |
    |                        |          |         | Paris, FR): 2 devices but 10 minutes apart, one person |
    """

    def link(email, icp, created=3 * DAY):
        return make_link(
            email=email, icp=icp, campaign="outbound-q4", first_name=email.split("@")[0], created_at=ago(created)
        )

    links = {
        "ceo": link("ceo@acme.com", "CEO"),
        "cto": link("cto@acme.com", "CTO"),
        "vp": link("vp@acme.com", "VP Sales"),
        "ops": link("ops@acme.com", None),
        "fin": link("fin@acme.com", "CFO"),
        "jean": link("jean.dupont@orange.fr", "CEO"),
        "marie": link("marie@gmail.com", "CMO"),
        "paul": link("Paul@Hotmail.FR", None),
        "globex_a": link("a@globex.io", "CTO"),
        "globex_b": link("b@globex.io", "CEO", created=12 * HOUR),
    }
    paris = {"ip": PARIS_NETWORK, "country": "FR"}
    berlin = {"ip": BERLIN_NETWORK, "country": "DE"}
    make_click(links["ceo"], ago(2 * DAY), user_agent=WINDOWS_CHROME, **paris)
    make_click(links["ceo"], ago(1 * DAY), user_agent=WINDOWS_CHROME, **paris)
    make_click(links["cto"], ago(30 * HOUR), user_agent=IPHONE_SAFARI, **paris)
    make_click(links["vp"], ago(20 * HOUR), user_agent=MAC_FIREFOX, **berlin)
    scanner = {"verdict": "scanner", "reason": "seconds after creation", "ip": "40.94.1.0", "country": "US"}
    make_click(links["vp"], ago(3 * DAY - MINUTE), **scanner)
    make_click(links["ops"], ago(3 * DAY - MINUTE), **scanner)
    make_click(links["jean"], ago(10 * HOUR), user_agent=IPAD_SAFARI, **paris)
    make_click(links["paul"], ago(5 * HOUR), user_agent=IPHONE_SAFARI, ip=None, country="")
    make_click(links["globex_a"], ago(2 * DAY), user_agent=WINDOWS_CHROME, **berlin)
    make_click(links["globex_a"], ago(1 * DAY), user_agent=IPHONE_SAFARI, **paris)
    make_click(links["globex_a"], ago(1 * DAY - 2 * MINUTE), user_agent=IPHONE_SAFARI, **paris)
    make_click(links["globex_b"], ago(6 * HOUR), user_agent=WINDOWS_CHROME, **berlin)
    make_click(links["globex_b"], ago(6 * HOUR - 10 * MINUTE), user_agent=IPHONE_SAFARI, **paris)
    return links
