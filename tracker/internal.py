"""Internal clicks: the team's own clicks on tracking links (tests, links pasted in Slack,
forwarded e-mails) are kept with the verdict `internal`, never counted and never a hot lead.

A click is internal when it comes from INTERNAL_NETWORKS, from a browser carrying the team cookie
(set when a team member logs in, or on the "this browser is the team's" page), or when the
tracking URL was opened with ?lt_no_track=1. The redirect reads the last two here, with
internal_hints(): one cookie lookup and one substring test, no query.
"""

import ipaddress
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote_plus

from django.conf import settings
from django.http.cookie import parse_cookie

TEAM_COOKIE_NAME = "lt_team"
TEAM_COOKIE_VALUE = "1"
TEAM_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600  # the browser stays the team's until its cookies are cleared
NO_TRACK_PARAMETER = "lt_no_track"


class InternalHints(NamedTuple):
    """What the request says about being the team's own click."""

    team_browser: bool
    no_track: bool
    query_string: str  # the query string to pass on to the destination, without lt_no_track


def internal_hints(meta) -> InternalHints:
    """Return the team-cookie and no-track facts of a request's META, and its query string with
    the lt_no_track parameter removed (the destination never sees it)."""
    query_string = meta.get("QUERY_STRING", "")
    no_track = False
    if NO_TRACK_PARAMETER in query_string:
        segments = query_string.split("&")
        kept = [segment for segment in segments if unquote_plus(segment.partition("=")[0]) != NO_TRACK_PARAMETER]
        no_track = len(kept) != len(segments)
        query_string = "&".join(kept)
    cookie_header = meta.get("HTTP_COOKIE", "")
    team_browser = (
        TEAM_COOKIE_NAME in cookie_header and parse_cookie(cookie_header).get(TEAM_COOKIE_NAME) == TEAM_COOKIE_VALUE
    )
    return InternalHints(team_browser, no_track, query_string)


@lru_cache(maxsize=8)
def _parsed_networks(cidrs):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def internal_networks():
    """Return settings.INTERNAL_NETWORKS as ip_network objects (parsed once per distinct value)."""
    return _parsed_networks(tuple(settings.INTERNAL_NETWORKS))


def mark_team_browser(response, secure: bool) -> None:
    """Set the team cookie on `response`: this browser's clicks become internal. Lax, so that it
    travels with the top-level GET of a tracking URL opened from a mail or a chat."""
    response.set_cookie(
        TEAM_COOKIE_NAME,
        TEAM_COOKIE_VALUE,
        max_age=TEAM_COOKIE_MAX_AGE,
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
