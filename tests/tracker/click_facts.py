"""A builder for the facts the classification rules read: an ordinary human click by default."""

import datetime
import ipaddress

from tests.tracker.user_agents import CHROME
from tracker.classification import ClickFacts

NOON = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC)
HOME_IP = "82.64.10.77"  # a French residential ISP


def click_facts(
    headers=None, ip=HOME_IP, user_agent=CHROME, referer="", sent_at=None, clicked_at=NOON, recent_clicks=()
):
    return ClickFacts(
        headers=headers or {},
        ip=ipaddress.ip_address(ip) if ip else None,
        user_agent=user_agent,
        referer=referer,
        sent_at=sent_at,
        clicked_at=clicked_at,
        recent_clicks=recent_clicks,
    )
