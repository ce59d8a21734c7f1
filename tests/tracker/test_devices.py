"""Device type, OS and browser of each click, described off the redirect path by the worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_click, make_link
from tests.tracker.user_agents import (
    ANDROID_CHROME,
    CHROME,
    EDGE,
    MOBILE_SAFARI,
    SAFARI,
    SLACKBOT,
)
from tracker.devices import Device, describe_new_clicks, describe_user_agent
from tracker.models import Click

# As a click stored before devices were described: without its device.
NOT_DESCRIBED_YET = {"device_type": "", "os": "", "browser": ""}
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CHROME, Device("desktop", "Windows", "Chrome")),
        (EDGE, Device("desktop", "Windows", "Edge")),
        (SAFARI, Device("desktop", "Mac OS X", "Safari")),
        (MOBILE_SAFARI, Device("mobile", "iOS", "Mobile Safari")),
        (ANDROID_CHROME, Device("mobile", "Android", "Chrome Mobile")),
        (IPAD, Device("tablet", "iOS", "Mobile Safari")),
        (ANDROID_TABLET, Device("tablet", "Android", "Chrome")),
        (SLACKBOT, Device("other", "", "Slackbot-LinkExpanding")),
        ("", Device("other", "", "")),
    ],
)
def test_a_user_agent_tells_device_type_os_and_browser(user_agent, device):
    assert describe_user_agent(user_agent) == device


@pytest.mark.django_db
def test_a_click_is_described_as_it_is_stored_and_the_job_finds_nothing_left(client):
    """The redirect reads the device from the user agent (memoised per process) as it stores the
    click: its device, OS and browser are there at once, and the worker has nothing to do."""
    link = make_link()
    for _ in range(2):  # the second click reads the memo the first one left
        assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=MOBILE_SAFARI).status_code == 302
    assert list(Click.objects.values_list("device_type", "os", "browser")) == [("mobile", "iOS", "Mobile Safari")] * 2
    assert describe_new_clicks() == 0


@pytest.mark.django_db
def test_the_job_describes_settled_clicks_once_and_leaves_recent_ones_for_later():
    """Clicks stored without their device (before devices were described): the job describes them once
    settled; clicks still inside the burst window (their verdict may change) wait for the next tick."""
    link = make_link()
    old = make_click(link, timezone.now() - timedelta(minutes=5), user_agent=MOBILE_SAFARI, **NOT_DESCRIBED_YET)
    bare = make_click(link, timezone.now() - timedelta(minutes=4), user_agent="", **NOT_DESCRIBED_YET)
    fresh = make_click(link, timezone.now(), user_agent=CHROME, **NOT_DESCRIBED_YET)

    assert describe_new_clicks() == 2
    assert describe_new_clicks() == 0  # idempotent: nothing left to describe

    described = {click.id: (click.device_type, click.os, click.browser) for click in Click.objects.all()}
    assert described == {
        old.id: ("mobile", "iOS", "Mobile Safari"),
        bare.id: ("other", "", ""),
        fresh.id: ("", "", ""),
    }


@pytest.mark.django_db
def test_the_job_works_in_bounded_batches(django_assert_num_queries):
    """Batch of 3 out of 4 clicks; per batch, in one short transaction: select, one update per
    distinct agent, and the note that their links' figures need recounting (one bulk insert)."""
    link = make_link()
    for minutes in (10, 9, 8, 7):
        make_click(
            link,
            timezone.now() - timedelta(minutes=minutes),
            user_agent=CHROME if minutes % 2 else SAFARI,
            **NOT_DESCRIBED_YET,
        )
    # SAVEPOINT, SELECT ... FOR UPDATE, 2 UPDATEs (2 agents), stale-link INSERT, RELEASE
    with django_assert_num_queries(6):
        assert describe_new_clicks(batch_size=3) == 3
    assert describe_new_clicks(batch_size=3) == 1
    assert not Click.objects.filter(device_type="").exists()


def test_a_worker_without_the_describe_job_is_reported(settings):
    """tracker.W002 when WORKER_JOBS leaves the describe job out; nothing when it runs it."""
    from tracker.checks import describe_job_is_scheduled

    settings.WORKER_JOBS = ["tracker.rollup.advance_rollup"]
    assert [warning.id for warning in describe_job_is_scheduled(None)] == ["tracker.W002"]
    settings.WORKER_JOBS = ["tracker.devices.describe_new_clicks"]
    assert describe_job_is_scheduled(None) == []
