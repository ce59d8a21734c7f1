"""Forwarded links: a link whose human clicks come from several people, most likely because the
prospect forwarded it inside their company.

The rule (looks_forwarded) reads the evidence of a link's settled human clicks: how many distinct
devices (user agents) and networks (stored addresses: the /24 or /48 when IPs are anonymised) they
came from, and how far apart the first and last are. Several devices or networks over at least
SHARED_MIN_HOURS_APART hours is another person; the same within minutes is one person's burst or a
scanner. The evidence lives on the link (Link.shared*), refreshed by the worker; it never changes
a click's verdict.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min

from links.models import Link
from tracker.models import Click, Verdict


@dataclass(frozen=True, slots=True)
class SharingEvidence:
    devices: int
    networks: int
    first_click_at: datetime | None
    last_click_at: datetime | None


NO_EVIDENCE = SharingEvidence(0, 0, None, None)
UPDATE_SHARING_SQL = (
    f"UPDATE {Link._meta.db_table} SET shared = %s, shared_devices = %s, shared_networks = %s,"
    " shared_first_click_at = %s, shared_last_click_at = %s WHERE id = %s"
)


def looks_forwarded(evidence: SharingEvidence) -> bool:
    """True when the human clicks come from at least SHARED_MIN_DEVICES devices or
    SHARED_MIN_NETWORKS networks and span at least SHARED_MIN_HOURS_APART hours."""
    if evidence.first_click_at is None or evidence.last_click_at is None:
        return False
    spread = evidence.last_click_at - evidence.first_click_at >= timedelta(hours=settings.SHARED_MIN_HOURS_APART)
    several = evidence.devices >= settings.SHARED_MIN_DEVICES or evidence.networks >= settings.SHARED_MIN_NETWORKS
    return spread and several


def sharing_evidence(link_ids: Iterable[int]) -> dict[int, SharingEvidence]:
    """Return {link id: evidence} from the links' human clicks, in one grouped query; links without
    a human click are left out."""
    rows = (
        Click.objects.filter(link_id__in=list(link_ids), verdict=Verdict.HUMAN)
        .order_by()
        .values("link_id")
        .annotate(
            devices=Count("user_agent", distinct=True),
            networks=Count("ip", distinct=True),
            first_click_at=Min("clicked_at"),
            last_click_at=Max("clicked_at"),
        )
    )
    return {
        row["link_id"]: SharingEvidence(row["devices"], row["networks"], row["first_click_at"], row["last_click_at"])
        for row in rows
    }


def sharing_of(link_ids: Iterable[int]) -> list[tuple]:
    """[(shared, devices, networks, first click, last click, link id)] for `link_ids`, from one
    grouped read of their human clicks (no evidence for a link without any)."""
    link_ids = sorted(set(link_ids))
    evidence = sharing_evidence(link_ids) if link_ids else {}
    rows = []
    for link_id in link_ids:
        found = evidence.get(link_id, NO_EVIDENCE)
        rows.append(
            (looks_forwarded(found), found.devices, found.networks, found.first_click_at, found.last_click_at, link_id)
        )
    return rows


def write_sharing(rows: list[tuple]) -> None:
    """Store sharing_of()'s evidence on the links: one UPDATE statement run for every link (not
    Django's bulk_update, whose CASE per field and row costs half a second for a thousand links)."""
    adapt_time = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            UPDATE_SHARING_SQL,
            [
                (shared, devices, networks, adapt_time(first), adapt_time(last), link_id)
                for shared, devices, networks, first, last, link_id in rows
            ],
        )


def update_sharing(link_ids: Iterable[int]) -> int:
    """Recompute the forwarding evidence of these links and store it on them: the read first, then
    a short write. Return how many links were updated."""
    rows = sharing_of(link_ids)
    with transaction.atomic():
        write_sharing(rows)
    return len(rows)
