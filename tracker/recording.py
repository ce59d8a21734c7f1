"""The one place a click is written: record_click(), used by the redirect, the demo data and tests.

The redirect reads its link with find_link() (one SELECT that also brings the link's clicks of the
last BURST_WINDOW_SECONDS, for the burst rule), builds the click's facts with click_facts() and
hands them to record_click(): the classification in pure Python, the device read from the user
agent (tracker.devices, memoised per process), one INSERT. Nothing else is
written: the link's counters and the rollup are derived from the clicks by the worker
(tracker.derivation). Raw SQL on purpose, run through the driver's own cursor
(tracker.statements): at thousands of clicks a second the ORM's per-statement cost shows; the
statements stay plain and searchable (real table and column names).
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from tracker.classification import (
    RECENT_CLICKS_LIMIT,
    SCANNER,
    ClickFacts,
    RecentClick,
    burst_companions,
    classify,
)
from tracker.client_ip import client_network, parse_ip, stored_ip
from tracker.countries import city_of, country_of
from tracker.devices import describe_user_agent
from tracker.models import REFERER_MAX_LENGTH, USER_AGENT_MAX_LENGTH, Click
from tracker.statements import run_statement

REASON_MAX_LENGTH = Click._meta.get_field("reason").max_length

FIND_LINK_SQL = (
    "SELECT link.id, link.destination_url, link.sent_at, click.id, click.ip, click.verdict"
    " FROM links_link link"
    " LEFT JOIN tracker_click click ON click.link_id = link.id AND click.clicked_at >= %s"
    f" WHERE link.token = %s LIMIT {RECENT_CLICKS_LIMIT}"
)
# What a click stores beside its facts, read from its full address and its user agent (click_origin).
ORIGIN_COLUMNS = ("country", "city", "device_type", "os", "browser")
# Every column a click is written with: by the redirect here, by the worker for a held click.
CLICK_COLUMNS = ("link_id", "clicked_at", "ip", "user_agent", "referer", "verdict", "reason", *ORIGIN_COLUMNS)
INSERT_CLICK_SQL = (
    f"INSERT INTO tracker_click ({', '.join(CLICK_COLUMNS)}) VALUES ({', '.join(['%s'] * len(CLICK_COLUMNS))})"
)
MARK_BURST_SQL = "UPDATE tracker_click SET verdict = %s, reason = %s WHERE id IN ({placeholders})"


class TrackedLink(NamedTuple):
    """What the click path knows of a link: where it goes, when it was sent, its recent clicks."""

    id: int
    destination_url: str
    sent_at: datetime.datetime | None
    recent_clicks: tuple = ()  # RecentClick, BURST_WINDOW_SECONDS back from the click
    cached: bool = False  # read from tracker.destinations while the database failed


class RecordedClick(NamedTuple):
    link_id: int
    clicked_at: datetime.datetime
    verdict: str
    reason: str


def find_link(token: str, clicked_at: datetime.datetime, database=None) -> TrackedLink | None:
    """Return the link with `token` and its clicks of the burst window before `clicked_at`, or None.
    `database`: the default DatabaseWrapper, if the caller has it at hand."""
    burst_start = clicked_at - datetime.timedelta(seconds=settings.BURST_WINDOW_SECONDS)
    rows = run_statement(FIND_LINK_SQL, [database_time(burst_start), token], fetch=True, database=database)
    if not rows:
        return None
    link_id, destination_url, sent_at = rows[0][:3]
    return TrackedLink(
        id=link_id,
        destination_url=destination_url,
        sent_at=aware(sent_at),
        recent_clicks=tuple(
            RecentClick(click_id, client_network(parse_ip(str(click_ip or ""))), verdict)
            for *_, click_id, click_ip, verdict in rows
            if click_id is not None
        ),
    )


def click_facts(
    *,
    ip,
    user_agent: str,
    referer: str,
    sent_at: datetime.datetime | None,
    clicked_at: datetime.datetime,
    headers: dict | None = None,
    recent_clicks: tuple = (),
    team_browser: bool = False,
    no_track: bool = False,
) -> ClickFacts:
    """Return the facts the classifier reads, for a live click or a stored one: user agent and
    referer trimmed to what is stored and stripped of NUL bytes (PostgreSQL refuses them)."""
    return ClickFacts(
        headers=headers or {},
        ip=ip,
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH].replace("\x00", ""),
        referer=referer[:REFERER_MAX_LENGTH].replace("\x00", ""),
        sent_at=sent_at,
        clicked_at=clicked_at,
        recent_clicks=recent_clicks,
        team_browser=team_browser,
        no_track=no_track,
    )


def record_click(
    link_id: int, facts: ClickFacts, *, known_verdict: tuple[str, str] | None = None, database=None
) -> RecordedClick:
    """Classify one click and store it: one INSERT in autocommit, plus, in the rare case of a
    burst, one UPDATE re-marking the burst's earlier clicks as a scanner, in the same transaction
    (the worker that derives the counters sees both or neither). Return what was stored.
    The IP is anonymised here (ANONYMIZE_IPS), after the classifier and the country and city
    lookups have seen the full address.

    `known_verdict` = (verdict, reason) stores a verdict decided earlier instead of classifying
    (a click recorded before, demo and test data). `database`: the default DatabaseWrapper, if
    the caller has it at hand."""
    verdict, reason = known_verdict or classify(facts)
    reason = reason[:REASON_MAX_LENGTH]
    companions = burst_companions(facts, reason)
    row = [
        link_id,
        database_time(facts.clicked_at),
        database_ip(stored_ip(facts.ip)),
        facts.user_agent,
        facts.referer,
        verdict,
        reason,
        *click_origin(facts),
    ]
    if not companions:
        run_statement(INSERT_CLICK_SQL, row, database=database)
        return RecordedClick(link_id, facts.clicked_at, verdict, reason)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_CLICK_SQL, row)
        placeholders = ", ".join(["%s"] * len(companions))
        cursor.execute(MARK_BURST_SQL.format(placeholders=placeholders), [SCANNER, reason, *companions])
    return RecordedClick(link_id, facts.clicked_at, verdict, reason)


def click_origin(facts: ClickFacts) -> tuple:
    """The ORIGIN_COLUMNS of a click: the country and city of its full address (looked up before the
    address is anonymised) and the device, OS and browser of its user agent (memoised per process)."""
    device = describe_user_agent(facts.user_agent)
    return country_of(facts.ip), city_of(facts.ip), device.device_type, device.os, device.browser


# What Django's ops.adapt_datetimefield_value and adapt_ipaddressfield_value hand the driver, minus
# their generic checks and the per-thread lookup of the connection: on the hot path those cost as
# much as the statement's Python side.
if connection.vendor == "sqlite":

    def database_time(moment):
        """An aware datetime as Django stores it in SQLite: naive UTC text."""
        return str(moment.astimezone(datetime.UTC).replace(tzinfo=None))

    def database_ip(address_text):
        return address_text or None

else:
    from django.db.backends.postgresql.psycopg_any import Inet

    def database_time(moment):
        return moment

    def database_ip(address_text):
        return Inet(address_text) if address_text else None


def aware(value):
    """Return a datetime column read through a raw cursor as an aware UTC datetime (SQLite hands
    back naive UTC datetimes or text, PostgreSQL aware ones)."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
