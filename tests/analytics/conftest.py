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
