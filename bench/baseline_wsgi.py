"""The bare baseline: the redirect's physical limit on the same database, with no framework.

One WSGI function doing what GET /t/<token> must do at minimum: select the link by token, insert
one click row (time, anonymised IP, user agent, referer, verdict) and answer 302 — with the same
SQLite PRAGMAs as tracker/settings.py, or psycopg on PostgreSQL, one persistent connection per
gunicorn worker. Served as `gunicorn bench.baseline_wsgi:application`; reads BENCH_SQLITE_PATH (a file)
or BENCH_DATABASE_URL (postgres://...).
"""

import os
import sqlite3
from datetime import UTC, datetime

SQLITE_PATH = os.environ.get("BENCH_SQLITE_PATH")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL")
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=67108864;"
)
SELECT = "SELECT id, destination_url FROM links_link WHERE token = {p}"
INSERT = (
    "INSERT INTO tracker_click (link_id, clicked_at, ip, user_agent, referer, verdict, reason)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, 'human', '')"
)
_connection = None  # opened after gunicorn forks, once per worker


def _connect():
    global _connection
    if SQLITE_PATH:
        # Autocommit, like Django: the INSERT is its own transaction and commits at once.
        _connection = sqlite3.connect(SQLITE_PATH, timeout=20, isolation_level=None)
        _connection.executescript(SQLITE_PRAGMAS)
    else:
        import psycopg

        _connection = psycopg.connect(DATABASE_URL, autocommit=True)
    return _connection


def _now():
    now = datetime.now(UTC)
    if SQLITE_PATH:
        return now.replace(tzinfo=None).isoformat(" ")  # Django's SQLite storage format
    return now


def application(environ, start_response):
    connection = _connection or _connect()
    placeholder = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    token = environ["PATH_INFO"][len("/t/") :]
    row = connection.execute(SELECT.format(p=placeholder), (token,)).fetchone()
    if row is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"Not found"]
    ip = environ.get("REMOTE_ADDR", "")
    ip = ip.rsplit(".", 1)[0] + ".0" if "." in ip else None
    connection.execute(
        INSERT.format(p=placeholder),
        (row[0], _now(), ip, environ.get("HTTP_USER_AGENT", "")[:512], environ.get("HTTP_REFERER", "")[:512]),
    )
    start_response("302 Found", [("Location", row[1]), ("Content-Length", "0"), ("Cache-Control", "no-store")])
    return [b""]
