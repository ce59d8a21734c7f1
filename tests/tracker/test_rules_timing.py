"""Rule 5: a click within SCANNER_WINDOW_SECONDS of sending is a gateway opening the message."""

import datetime

import pytest
import time_machine

from tests.factories import make_link
from tests.tracker.click_facts import NOON, click_facts
from tests.tracker.user_agents import CHROME
from tracker.classification import classify
from tracker.models import Click

SECOND = datetime.timedelta(seconds=1)


@pytest.mark.parametrize(
    "seconds_after_sending, expected",
    [
        (0, ("scanner", "timing: 0s after sent_at")),
        (12, ("scanner", "timing: 12s after sent_at")),
        (59, ("scanner", "timing: 59s after sent_at")),
        (60, ("human", "")),
        (2 * 3600, ("human", "")),
    ],
)
def test_clicks_inside_the_first_minute_after_sending_are_scanners(seconds_after_sending, expected):
    """Nobody opens, reads and clicks within 60 seconds of delivery; a gateway does."""
    facts = click_facts(sent_at=NOON - seconds_after_sending * SECOND, clicked_at=NOON)
    assert classify(facts) == expected


def test_a_click_before_sent_at_is_no_prospect():
    """The link had not reached the prospect yet."""
    assert classify(click_facts(sent_at=NOON + 30 * SECOND, clicked_at=NOON)) == ("scanner", "timing: before sent_at")


def test_without_sent_at_there_is_no_timing_rule():
    """Clay does not always say when the message went out."""
    assert classify(click_facts(sent_at=None)) == ("human", "")


def test_the_window_follows_the_setting(settings):
    """SCANNER_WINDOW_SECONDS=300 makes a click two minutes after sending a scanner."""
    settings.SCANNER_WINDOW_SECONDS = 300
    facts = click_facts(sent_at=NOON - 120 * SECOND, clicked_at=NOON)
    assert classify(facts) == ("scanner", "timing: 120s after sent_at")


@pytest.mark.django_db
def test_the_prospect_who_clicks_later_still_counts_after_the_scanner(client):
    """Verdicts are per click: the gateway's early click does not hide the person's."""
    link = make_link(sent_at=NOON)
    with time_machine.travel(NOON + 12 * SECOND, tick=False):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="82.64.10.77")
    with time_machine.travel(NOON + datetime.timedelta(hours=3), tick=False):
        client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="82.64.10.77")
    assert list(Click.objects.order_by("clicked_at").values_list("verdict", "reason")) == [
        ("scanner", "timing: 12s after sent_at"),
        ("human", ""),
    ]
