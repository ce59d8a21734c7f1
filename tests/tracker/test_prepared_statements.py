"""The click path's two statements are compiled once per connection, not once per click:
PostgreSQL prepares them (server-side binding), SQLite keeps them in the driver's statement cache."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from links.models import Link
from tests.factories import make_click, make_link
from tracker.models import LinkCountryCount
from tracker.statements import fast_cursor

pytestmark = pytest.mark.django_db


def test_the_redirect_statements_are_compiled_once_per_connection(client):
    link = make_link()
    for _ in range(7):  # psycopg prepares a statement on its 5th run
        assert client.get(f"/t/{link.token}").status_code == 302

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
            prepared = {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}
        assert any(statement.startswith("INSERT INTO tracker_click") for statement in prepared), prepared
        (find_link_plans,) = [plans for statement, plans in prepared.items() if "FROM links_link link" in statement]
        generic, custom = find_link_plans  # the runs since it was prepared: planned once, not each time
        assert generic > 0 and custom == 0, prepared
    else:
        # sqlite3's own cursor: its connection caches compiled statements (Django's wrapper would
        # rewrite the SQL on every call first).
        assert type(fast_cursor(connection)) is sqlite3.Cursor


def prepare_threshold(**env):
    """The psycopg prepare_threshold a fresh process configures for PostgreSQL."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "linktracker.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/linktracker",
            **env,
        },
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_preparing_is_on_by_default_and_can_be_turned_off_for_an_old_pgbouncer():
    assert prepare_threshold() == "5"
    assert prepare_threshold(DATABASE_PREPARE_THRESHOLD="2") == "2"
    assert prepare_threshold(DATABASE_PREPARE_THRESHOLD="") == "None"
    assert prepare_threshold(DATABASE_PREPARE_THRESHOLD="often").endswith(
        "DATABASE_PREPARE_THRESHOLD must be an integer, not 'often'"
    )


def test_the_worker_writes_each_figure_with_a_statement_compiled_once_per_connection():
    """A pass writes a row of counters, of countries and of devices per clicked link: on PostgreSQL
    each of those statements is bound on the server and prepared once per connection, not sent
    again with its values for the server to parse and plan for every link (about a fifth of the
    worker's database time)."""
    links = [make_link(email=f"prospect{number}@company.com") for number in range(7)]
    for link in links:
        make_click(link, country="FR")  # one derivation pass each, the same worker connection

    assert [link.human_clicks for link in Link.objects.filter(pk__in=[link.pk for link in links])] == [1] * 7
    assert LinkCountryCount.objects.filter(link__in=links, country="FR", human_clicks=1).count() == 7
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [statement for (statement,) in cursor.fetchall()]
        for table in ("links_link", "tracker_linkcountrycount", "tracker_linkdevicecount"):
            assert any(table in statement and "$1" in statement for statement in prepared), (table, prepared)
