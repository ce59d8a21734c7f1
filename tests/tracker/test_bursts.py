"""Rule 6: one prospect's link opened from several networks within seconds is a scanner farm."""

import datetime

import pytest
import time_machine

from tests.factories import make_link
from tests.tracker.click_facts import NOON
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.models import Click

pytestmark = pytest.mark.django_db


def click(client, link, ip, user_agent=CHROME):
    return client.get(f"/t/{link.token}", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)


def stored(link):
    return list(Click.objects.filter(link=link).order_by("id").values_list("ip", "verdict", "reason"))


@time_machine.travel(NOON, tick=False)
def test_a_second_network_within_two_seconds_marks_both_clicks(client, django_assert_num_queries):
    """The new click is a scanner and the earlier one of the burst is marked too (one UPDATE, in
    the INSERT's transaction: the worker deriving the counters sees both or neither)."""
    link = make_link()
    click(client, link, "20.1.2.3")
    # 1. SELECT link + recent clicks, 2. SAVEPOINT (BEGIN outside the test's transaction),
    # 3. INSERT, 4. UPDATE the earlier click of the burst, 5. RELEASE SAVEPOINT (COMMIT)
    with django_assert_num_queries(5):
        assert click(client, link, "34.5.6.7").status_code == 302
    assert stored(link) == [
        ("20.1.2.0", "scanner", "burst: 2 networks in 2s"),
        ("34.5.6.0", "scanner", "burst: 2 networks in 2s"),
    ]


@time_machine.travel(NOON, tick=False)
def test_a_third_network_is_counted_in_the_reason(client):
    """Each new click names how many networks the burst spans."""
    link = make_link()
    for ip in ("20.1.2.3", "34.5.6.7", "52.8.9.10"):
        click(client, link, ip)
    assert [reason for _, _, reason in stored(link)] == [
        "burst: 2 networks in 2s",
        "burst: 2 networks in 2s",
        "burst: 3 networks in 2s",
    ]


@time_machine.travel(NOON, tick=False)
def test_a_double_click_from_one_network_is_still_human(client):
    """Two clicks from the same /24 are one person clicking twice."""
    link = make_link()
    click(client, link, "82.64.10.77")
    click(client, link, "82.64.10.12")
    assert stored(link) == [("82.64.10.0", "human", ""), ("82.64.10.0", "human", "")]


def test_clicks_further_apart_than_the_window_are_not_a_burst(client):
    """Phone then laptop a few seconds later is a person."""
    link = make_link()
    with time_machine.travel(NOON, tick=False) as clock:
        click(client, link, "82.64.10.77")
        clock.shift(datetime.timedelta(seconds=3))
        click(client, link, "90.12.1.1")
    assert stored(link) == [("82.64.10.0", "human", ""), ("90.12.1.0", "human", "")]


@time_machine.travel(NOON, tick=False)
def test_other_links_clicks_do_not_make_a_burst(client):
    """A burst is about one prospect's link."""
    first, second = make_link(email="a@company.com"), make_link(email="b@company.com")
    click(client, first, "82.64.10.77")
    click(client, second, "90.12.1.1")
    assert stored(first) + stored(second) == [("82.64.10.0", "human", ""), ("90.12.1.0", "human", "")]


@time_machine.travel(NOON, tick=False)
def test_retro_marking_leaves_earlier_machine_verdicts_alone(client):
    """Only human clicks of the burst are re-marked; a preview stays a preview."""
    link = make_link()
    click(client, link, "20.1.2.3", user_agent=SLACKBOT)
    click(client, link, "34.5.6.7")
    assert stored(link) == [
        ("20.1.2.0", "preview", "ua: Slackbot"),
        ("34.5.6.0", "scanner", "burst: 2 networks in 2s"),
    ]


def test_the_window_follows_the_setting(client, settings):
    """BURST_WINDOW_SECONDS=10 groups clicks 5 seconds apart."""
    settings.BURST_WINDOW_SECONDS = 10
    link = make_link()
    with time_machine.travel(NOON, tick=False) as clock:
        click(client, link, "20.1.2.3")
        clock.shift(datetime.timedelta(seconds=5))
        click(client, link, "34.5.6.7")
    assert [verdict_reason[1:] for verdict_reason in stored(link)] == [
        ("scanner", "burst: 2 networks in 10s"),
        ("scanner", "burst: 2 networks in 10s"),
    ]
