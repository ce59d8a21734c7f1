"""The click path: GET /t/<token> records one click and redirects.

The redirect is the one path every prospect takes, so it is one short function on raw SQL
through Django's connection: one SELECT (the link, plus any clicks of the last
BURST_WINDOW_SECONDS for the burst rule), the classification in pure Python, one INSERT in
autocommit, a 302. An UPDATE runs only in the rare case of a burst.

answer_tracking_url() works on a WSGI environ or a request's META and returns a plain
TrackingAnswer, so that linktracker.fast_path can serve it below Django's request cycle and
follow_link() as an ordinary view.
"""

import contextlib
import datetime
import functools
import math
import time
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.template import loader
from django.utils.dateparse import parse_datetime
from django.utils.encoding import iri_to_uri

from links.models import Link
from tracker.classification import (
    RECENT_CLICKS_LIMIT,
    SCANNER,
    ClickFacts,
    RecentClick,
    burst_companions,
    classify,
    hint_headers,
)
from tracker.client_ip import client_ip, client_network, parse_ip, stored_ip
from tracker.models import REFERER_MAX_LENGTH, USER_AGENT_MAX_LENGTH, Click

TRACKING_METHODS = ("GET", "HEAD")
MISS_WINDOW_SECONDS = 60
REASON_MAX_LENGTH = Click._meta.get_field("reason").max_length

HTML = ("Content-Type", "text/html; charset=utf-8")
NO_STORE = ("Cache-Control", "no-store")
REDIRECT_HEADERS = (HTML, NO_STORE, ("Content-Length", "0"))
NOT_ALLOWED_HEADERS = (("Allow", ", ".join(TRACKING_METHODS)), HTML, NO_STORE, ("Content-Length", "0"))
NOT_FOUND_HEADERS = (HTML, NO_STORE)
TOO_MANY_MISSES_BODY = b"Too many unknown links, try again later.\n"
TOO_MANY_MISSES_HEADERS = (
    ("Content-Type", "text/plain; charset=utf-8"),
    NO_STORE,
    ("Content-Length", str(len(TOO_MANY_MISSES_BODY))),
)


def _table_and_columns(model, *fields):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(model._meta.get_field(name).column) for name in fields]


_LINK, (_LINK_ID, _LINK_TOKEN, _LINK_DESTINATION, _LINK_SENT_AT) = _table_and_columns(
    Link, "id", "token", "destination_url", "sent_at"
)
_CLICK, _CLICK_COLUMNS = _table_and_columns(
    Click, "id", "link", "clicked_at", "ip", "user_agent", "referer", "verdict", "reason"
)
_C_ID, _C_LINK, _C_AT, _C_IP, _C_UA, _C_REFERER, _C_VERDICT, _C_REASON = _CLICK_COLUMNS

FIND_LINK_SQL = (
    f"SELECT l.{_LINK_ID}, l.{_LINK_DESTINATION}, l.{_LINK_SENT_AT}, c.{_C_ID}, c.{_C_IP}, c.{_C_VERDICT}"
    f" FROM {_LINK} l LEFT JOIN {_CLICK} c ON c.{_C_LINK} = l.{_LINK_ID} AND c.{_C_AT} >= %s"
    f" WHERE l.{_LINK_TOKEN} = %s LIMIT {RECENT_CLICKS_LIMIT}"
)
INSERT_CLICK_SQL = (
    f"INSERT INTO {_CLICK} ({_C_LINK}, {_C_AT}, {_C_IP}, {_C_UA}, {_C_REFERER}, {_C_VERDICT}, {_C_REASON})"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
MARK_BURST_SQL = f"UPDATE {_CLICK} SET {_C_VERDICT} = %s, {_C_REASON} = %s WHERE {_C_ID} IN ({{ids}})"


if connection.vendor == "sqlite":

    def _database_time(moment):
        """Django's SQLite storage of an aware UTC datetime (ops.adapt_datetimefield_value, minus
        its generic checks: on the hot path they cost as much as the statement's Python side)."""
        return str(moment.replace(tzinfo=None))
else:

    def _database_time(moment):
        return moment


class TrackingAnswer(NamedTuple):
    """What a tracking URL answers, whoever serves it: the WSGI fast path or a Django view."""

    status: int
    headers: list  # [(name, value)], Content-Length included
    body: bytes


def answer_tracking_url(meta, token):
    """Answer a tracking URL: 302 to the destination (never 301: a cached permanent redirect
    would skip our next click) with one Click stored for a GET; HEAD redirects and stores
    nothing. Every request gets the same 302 whatever its verdict: a scanner answered
    differently reports the link as dead. Unknown token: the 404 page, rate-limited per network.

    `meta` is a WSGI environ or a request's META (the same keys); database errors propagate."""
    method = meta.get("REQUEST_METHOD")
    if method not in TRACKING_METHODS:
        return TrackingAnswer(405, [*NOT_ALLOWED_HEADERS], b"")
    clicked_at = datetime.datetime.now(datetime.UTC)
    burst_start = clicked_at - datetime.timedelta(seconds=settings.BURST_WINDOW_SECONDS)
    rows = find_link(token, burst_start)
    if not rows:
        return refuse_unknown_token(meta)
    link_id, destination_url, sent_at = rows[0][:3]
    if method == "GET":
        ip = client_ip(meta)
        user_agent = meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH].replace("\x00", "")
        referer = meta.get("HTTP_REFERER", "")[:REFERER_MAX_LENGTH].replace("\x00", "")
        facts = ClickFacts(
            headers=hint_headers(meta),
            ip=ip,
            user_agent=user_agent,
            referer=referer,
            sent_at=_aware(sent_at),
            clicked_at=clicked_at,
            recent_clicks=tuple(
                RecentClick(click_id, client_network(parse_ip(str(click_ip or ""))), verdict)
                for *_, click_id, click_ip, verdict in rows
                if click_id is not None
            ),
        )
        verdict, reason = classify(facts)
        reason = reason[:REASON_MAX_LENGTH]
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT_CLICK_SQL,
                [
                    link_id,
                    _database_time(clicked_at),
                    connection.ops.adapt_ipaddressfield_value(stored_ip(ip)),
                    user_agent,
                    referer,
                    verdict,
                    reason,
                ],
            )
            if companions := burst_companions(facts, reason):
                sql = MARK_BURST_SQL.format(ids=", ".join(["%s"] * len(companions)))
                cursor.execute(sql, [SCANNER, reason, *companions])
    # The destination was checked (http/https) when the link was created and
    # destination_with_query() never changes scheme, host or path; iri_to_uri() keeps the header
    # ASCII and free of control characters, as HttpResponseRedirect does.
    location = iri_to_uri(destination_with_query(destination_url, meta.get("QUERY_STRING", "")))
    return TrackingAnswer(302, [("Location", location), *REDIRECT_HEADERS], b"")


def follow_link(request, token):
    """The tracking URL as a Django view: answer_tracking_url() wrapped in an HttpResponse.

    gunicorn serves /t/ through linktracker.fast_path before Django's request cycle; this view
    (through TrackingRedirectMiddleware, or the URL pattern) serves it under runserver, ASGI and
    Django's test client, with the same answers."""
    status, headers, body = answer_tracking_url(request.META, token)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


def find_link(token, burst_start):
    """Return the rows of FIND_LINK_SQL: the link (id, destination, sent_at) once per recent click.

    CONN_HEALTH_CHECKS pings a reused connection (SELECT 1 on PostgreSQL) before each request's
    first query: a third round trip for the redirect. This read checks optimistically instead:
    if the reused connection turns out dead, it reconnects and runs once more."""
    reused = connection.connection is not None and not connection.in_atomic_block
    connection.health_check_done = True
    params = [_database_time(burst_start), token]
    try:
        with connection.cursor() as cursor:
            cursor.execute(FIND_LINK_SQL, params)
            return cursor.fetchall()
    except DatabaseError:
        if not reused:
            raise
    with contextlib.suppress(DatabaseError):
        connection.close()
    with connection.cursor() as cursor:
        cursor.execute(FIND_LINK_SQL, params)
        return cursor.fetchall()


def destination_with_query(destination_url, query_string):
    """Return the destination URL with the tracking URL's query parameters passed on.

    A parameter on both takes the tracking URL's value(s) at the destination's place (as Shlink
    does: the tracking URL is the more specific one, e.g. a per-message utm_content); the
    destination's other parameters keep their order and exact spelling, new ones follow in the
    order they came. Only the query changes: scheme, host and path always come from the stored
    URL and the passed parameters are re-encoded, so nothing in a tracking URL
    (?next=//evil.com, encoded slashes...) can send a visitor anywhere else."""
    passed = parse_qsl(query_string, keep_blank_values=True) if query_string else None
    if not passed:
        return destination_url
    scheme, netloc, path, query, fragment = urlsplit(destination_url)
    values_by_name = {}
    for name, value in passed:
        values_by_name.setdefault(name, []).append(value)
    segments = []
    for segment in query.split("&") if query else ():
        name = unquote_plus(segment.partition("=")[0])
        if name not in values_by_name:
            segments.append(segment)
        elif values_by_name[name] is not None:
            segments.append(urlencode([(name, value) for value in values_by_name[name]]))
            values_by_name[name] = None  # replaced here; later same-named segments are dropped
    new = [(name, value) for name, values in values_by_name.items() if values is not None for value in values]
    if new:
        segments.append(urlencode(new))
    return urlunsplit((scheme, netloc, path, "&".join(segments), fragment))


def refuse_unknown_token(meta):
    """Answer an unknown token: the same 404 page for every miss, or 429 once the client's
    network (/24, /48) misses more than TRACKING_MISS_LIMIT times in a minute, which makes
    guessing tokens hopeless. Counted in Django's cache, shared between processes via Redis."""
    now = time.time()
    key = f"tracking-misses:{client_network(client_ip(meta))}:{int(now // MISS_WINDOW_SECONDS)}"
    if cache.add(key, 1, timeout=MISS_WINDOW_SECONDS * 2):
        misses = 1
    else:
        try:
            misses = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            misses = 1
    if misses > settings.TRACKING_MISS_LIMIT:
        retry_after = str(math.ceil(MISS_WINDOW_SECONDS - now % MISS_WINDOW_SECONDS))
        return TrackingAnswer(429, [("Retry-After", retry_after), *TOO_MANY_MISSES_HEADERS], TOO_MANY_MISSES_BODY)
    body = not_found_page().encode()
    return TrackingAnswer(404, [*NOT_FOUND_HEADERS, ("Content-Length", str(len(body)))], body)


@functools.cache
def not_found_page():
    """Return templates/404.html, rendered once per process: a miss does no template work."""
    return loader.render_to_string("404.html")


def _aware(value):
    """Return a datetime column read through a raw cursor as an aware UTC datetime (SQLite hands
    back naive UTC datetimes or text, PostgreSQL aware ones)."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
