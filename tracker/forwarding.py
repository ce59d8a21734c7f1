"""Forwarded links: a link whose human clicks come from several people, most likely because the
prospect forwarded it inside their company.

The rule (looks_forwarded) reads the evidence of a link's human clicks: how many distinct
devices (user agents) and networks (stored addresses: the /24 or /48 when IPs are anonymised) they
came from, and how far apart the first and last are. Several devices or networks over at least
SHARED_MIN_HOURS_APART hours is another person; the same within minutes is one person's burst or a
scanner. The evidence lives on the link (Link.shared*), counted by the worker with the link's click
counters (tracker.counters), in the same read and the same UPDATE; it never changes a click's
verdict.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings


@dataclass(frozen=True, slots=True)
class SharingEvidence:
    devices: int
    networks: int
    first_click_at: datetime | None
    last_click_at: datetime | None


NO_EVIDENCE = SharingEvidence(0, 0, None, None)


def looks_forwarded(evidence: SharingEvidence) -> bool:
    """True when the human clicks come from at least SHARED_MIN_DEVICES devices or
    SHARED_MIN_NETWORKS networks and span at least SHARED_MIN_HOURS_APART hours."""
    if evidence.first_click_at is None or evidence.last_click_at is None:
        return False
    spread = evidence.last_click_at - evidence.first_click_at >= timedelta(hours=settings.SHARED_MIN_HOURS_APART)
    several = evidence.devices >= settings.SHARED_MIN_DEVICES or evidence.networks >= settings.SHARED_MIN_NETWORKS
    return spread and several
