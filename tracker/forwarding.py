"""Forwarded links: a link whose human clicks come from several people, most likely because the
prospect forwarded it inside their company.

The rule (forwarded_sql) reads the evidence of a link's human clicks: how many distinct devices
(user agents) and networks (stored addresses: the /24 or /48 when IPs are anonymised) they came
from, and how far apart the first and last are. At least SHARED_MIN_DEVICES devices or
SHARED_MIN_NETWORKS networks over at least SHARED_MIN_HOURS_APART hours is another person; the same
within minutes is one person's burst or a scanner. The evidence lives on the link (Link.shared*),
counted by the worker with the link's click counters (tracker.counters), in the same read and the
same UPDATE, which judges it with this rule in SQL; it never changes a click's verdict.
"""

from django.conf import settings
from django.db import connection


def forwarded_sql(first: str, last: str, devices: str, networks: str) -> str:
    """The rule as an SQL boolean (never NULL) over four SQL expressions: the first and last human
    click times, as the database stores them, and the distinct devices and networks."""
    hours = int(settings.SHARED_MIN_HOURS_APART)
    if connection.vendor == "postgresql":
        apart = f"{last} - {first} >= make_interval(hours => {hours})"
    else:
        # SQLite's times are text: whole seconds shifted by datetime() (the fraction cut first, it
        # would round), the fraction put back, compared as text, which orders as time.
        apart = f"{last} >= (datetime(substr({first}, 1, 19), '+{hours * 3600} seconds') || substr({first}, 20))"
    several = f"{devices} >= {int(settings.SHARED_MIN_DEVICES)} OR {networks} >= {int(settings.SHARED_MIN_NETWORKS)}"
    return f"COALESCE(({apart}) AND ({several}), FALSE)"
