"""On what a click happened: device type, operating system and browser, read from its user agent
by ua-parser.

The redirect describes each click as it stores or holds it (tracker.recording.click_origin): describe_user_agent() is
memoised per process, so a user agent seen before costs a dictionary lookup, and a new one about
20 µs with ua-parser's native matcher (ua-parser-rs; the pure-Python one takes 2 ms), built when
the web process starts (linktracker.wsgi), never on a prospect's click. The worker's job
describe_new_clicks() describes the clicks stored without a device: those stored before devices
were described, or held on a web host by a version that did not describe them. It picks them with a tiny
partial index (device_type blank), writes the three columns in one short transaction and marks
their links for the derivation's next pass, which recounts their device rows (tracker.facets).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import ua_parser
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.derivation import mark_links_stale
from tracker.models import NOT_DESCRIBED, Click, DeviceType

BATCH_SIZE = 1000
DESKTOP_SYSTEMS = frozenset(
    {"Windows", "Mac OS X", "macOS", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "ChromeOS", "FreeBSD"}
)
MOBILE_SYSTEMS = frozenset({"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "HarmonyOS"})
UNKNOWN_FAMILY = "Other"  # ua-parser's answer when no rule matched


@dataclass(frozen=True, slots=True)
class Device:
    device_type: str
    os: str
    browser: str


@lru_cache(maxsize=16384)
def describe_user_agent(user_agent: str) -> Device:
    """Return the device type (desktop, mobile, tablet, other), OS and browser family of a user
    agent; blank OS and browser when ua-parser does not recognise them."""
    if not user_agent.strip():
        return Device(DeviceType.OTHER.value, "", "")
    parsed = ua_parser.parse(user_agent)
    os_family = parsed.os.family if parsed.os and parsed.os.family != UNKNOWN_FAMILY else ""
    browser = parsed.user_agent.family if parsed.user_agent and parsed.user_agent.family != UNKNOWN_FAMILY else ""
    device_family = parsed.device.family if parsed.device else ""
    return Device(device_type_of(user_agent, os_family, device_family), os_family[:50], browser[:50])


def device_type_of(user_agent: str, os_family: str, device_family: str) -> str:
    if device_family == "Spider":
        return DeviceType.OTHER.value
    if device_family == "iPad" or "Tablet" in device_family or "Tablet" in user_agent:
        return DeviceType.TABLET.value
    # Android tablets' browsers leave "Mobile" out of the agent; phones put it in.
    if os_family == "Android" and "Mobile" not in user_agent:
        return DeviceType.TABLET.value
    if os_family in MOBILE_SYSTEMS or device_family == "iPhone" or "Mobile" in user_agent:
        return DeviceType.MOBILE.value
    if os_family in DESKTOP_SYSTEMS:
        return DeviceType.DESKTOP.value
    return DeviceType.OTHER.value


def settled_before():
    """Clicks up to this time have their final verdict (the burst rule is done with them)."""
    return timezone.now() - timedelta(seconds=settings.BURST_WINDOW_SECONDS + 1)


def warm_up() -> None:
    """Build ua-parser's matcher now (about 0.2 s) rather than on the first click."""
    describe_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36")


def describe_new_clicks(batch_size: int = BATCH_SIZE) -> int:
    """Worker job: describe up to `batch_size` settled clicks not described yet and mark their
    links' figures stale (their device rows counted the clicks as not described). Return how many
    clicks were described. Idempotent; several
    workers on PostgreSQL take different clicks (FOR UPDATE SKIP LOCKED)."""
    with transaction.atomic():
        rows = list(
            Click.objects.filter(device_type=NOT_DESCRIBED, clicked_at__lte=settled_before())
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", "link_id", "user_agent")[:batch_size]
        )
        if not rows:
            return 0
        clicks_by_agent = defaultdict(list)
        for click_id, _, user_agent in rows:
            clicks_by_agent[user_agent].append(click_id)
        for user_agent, click_ids in clicks_by_agent.items():
            device = describe_user_agent(user_agent)
            Click.objects.filter(id__in=click_ids).update(
                device_type=device.device_type, os=device.os, browser=device.browser
            )
        mark_links_stale({link_id for _, link_id, _ in rows})
    return len(rows)
