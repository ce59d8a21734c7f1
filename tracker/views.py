"""The click path: GET /t/<token> records one click and redirects.

The redirect is the one path every prospect takes, so it is one short function: find the link,
build the click's facts, hand them to tracker.recording.record_click() (the one writer of clicks),
answer 302.

answer_tracking_url() works on a WSGI environ or a request's META and returns a plain
TrackingAnswer, so that linktracker.fast_path can serve it below Django's request cycle and
follow_link() as an ordinary view.
"""

import contextlib
import datetime
import math
import time
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse
from django.utils.encoding import iri_to_uri

from links.public_urls import TRACKING_PATH_PREFIX  # noqa: F401  (re-exported for the servers of /t/)
from tracker.classification import hint_headers
from tracker.client_ip import client_ip, client_network
from tracker.database_guard import (
    bounded_database_wait,
    database_recently_failed,
    statement_was_cut,
    write_within_bound,
)
from tracker.destinations import cached_link, cached_link_during_outage
from tracker.held_clicks import hold_click
from tracker.internal import internal_hints
from tracker.miss_counter import count_miss
from tracker.prospect_pages import not_found_page
from tracker.recording import click_facts, find_link, record_click
from tracker.tokens import is_token_shaped, token_from_path

TRACKING_METHODS = ("GET", "HEAD")
# What a token can be (links.models.new_token: URL-safe base64, at most the column's 32
# characters): anything else (a NUL byte, a slash, 5 kB of junk) is unknown without a query.
MISS_WINDOW_SECONDS = 60

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

    When the database cannot answer or take the click, the destination comes from the cache and
    the click is held on this host (tracker.held_clicks) until the worker writes it, marked as
    one that may be stored already when its own INSERT failed: a database error propagates only
    for a token the cache does not know.

    `meta` is a WSGI environ or a request's META (the same keys)."""
    method = meta.get("REQUEST_METHOD")
    if method not in TRACKING_METHODS:
        return TrackingAnswer(405, [*NOT_ALLOWED_HEADERS], b"")
    token = token_from_path(token)  # a pasted URL may end in / . , ) ]
    if not is_token_shaped(token):  # a NUL byte, a slash, 200 characters: unknown, and no query
        return refuse_unknown_token(meta)
    clicked_at = datetime.datetime.now(datetime.UTC)
    database = connections[DEFAULT_DB_ALIAS]  # once: the lookup costs as much as a classification rule
    link = find_link_on_live_connection(database, token, clicked_at)
    if link is None:
        return refuse_unknown_token(meta)
    internal = internal_hints(meta)  # team cookie, ?lt_no_track (dropped from the passed-on query)
    if method == "GET":
        facts = click_facts(
            headers=hint_headers(meta),
            ip=client_ip(meta),
            user_agent=meta.get("HTTP_USER_AGENT", ""),
            referer=meta.get("HTTP_REFERER", ""),
            sent_at=link.sent_at,
            clicked_at=clicked_at,
            recent_clicks=link.recent_clicks,
            team_browser=internal.team_browser,
            no_track=internal.no_track,
        )
        if link.cached:
            hold_click(link.id, facts)
        else:
            try:
                write_within_bound(database, record_click, link.id, facts)
            except DatabaseError as error:
                hold_click(link.id, facts, error)
    # The destination was checked (http/https) when the link was created and
    # destination_with_query() never changes scheme, host or path; iri_to_uri() keeps the header
    # ASCII and free of control characters, as HttpResponseRedirect does.
    location = iri_to_uri(destination_with_query(link.destination_url, internal.query_string))
    return TrackingAnswer(302, [("Location", location), *REDIRECT_HEADERS], b"")


def follow_link(request, token):
    """The tracking URL as a Django view: answer_tracking_url() wrapped in an HttpResponse.

    gunicorn serves /t/ through linktracker.fast_path before Django's request cycle; this view
    (through TrackingRedirectMiddleware) serves it under runserver, ASGI and
    Django's test client, with the same answers."""
    status, headers, body = answer_tracking_url(request.META, token)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


def find_link_on_live_connection(database, token, clicked_at):
    """Return recording.find_link(token, clicked_at) read on `database` (the default
    DatabaseWrapper), on a connection known to work.

    CONN_HEALTH_CHECKS pings a reused connection (SELECT 1 on PostgreSQL) before each request's
    first query: a third round trip for the redirect. This read checks optimistically instead:
    if the reused connection turns out dead, it reconnects and runs once more.

    When the database fails (or failed a moment ago), the link comes from the destination cache
    (link.cached); the database's error is raised only if the cache does not know the token."""
    if database_recently_failed() and (link := cached_link(token)):
        return link
    try:
        with bounded_database_wait(database):
            return find_link_once_more_if_reused(database, token, clicked_at)
    except DatabaseError as error:
        return cached_link_during_outage(token, error)


def find_link_once_more_if_reused(database, token, clicked_at):
    """The optimistic read described above, on `database` (the default DatabaseWrapper); never a
    second try once the watchdog cut the first (the time allowed is spent: the cache answers instead)."""
    reused = database.connection is not None and not database.in_atomic_block
    database.health_check_done = True
    try:
        return find_link(token, clicked_at, database=database)
    except DatabaseError:
        if not reused or statement_was_cut():
            raise
    with contextlib.suppress(DatabaseError):
        database.close()
    return find_link(token, clicked_at, database=database)


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
    guessing tokens hopeless. Counted by tracker.miss_counter: in Redis, shared by every web host,
    or in the host's own store, shared by its processes."""
    now = time.time()
    key = f"tracking-misses:{client_network(client_ip(meta))}:{int(now // MISS_WINDOW_SECONDS)}"
    misses = count_miss(key, MISS_WINDOW_SECONDS * 2)
    if misses > settings.TRACKING_MISS_LIMIT:
        retry_after = str(math.ceil(MISS_WINDOW_SECONDS - now % MISS_WINDOW_SECONDS))
        return TrackingAnswer(429, [("Retry-After", retry_after), *TOO_MANY_MISSES_HEADERS], TOO_MANY_MISSES_BODY)
    body = not_found_page(meta.get("HTTP_ACCEPT_LANGUAGE", "")).encode()
    return TrackingAnswer(404, [*NOT_FOUND_HEADERS, ("Content-Length", str(len(body)))], body)
