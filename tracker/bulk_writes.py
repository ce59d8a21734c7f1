"""One statement run for many rows: how the worker writes the derived figures (tracker.counters,
tracker.facets, tracker.rollup)."""

from django.db import connection


def execute_many(sql: str, rows: list) -> None:
    """Run `sql` (with %s placeholders) once for each of `rows`.

    On PostgreSQL through a psycopg cursor that binds on the server: the statement is parsed once
    and prepared after a few runs on the connection (DATABASE_PREPARE_THRESHOLD), and the rows are
    pipelined. Django's cursors bind on the client, so that each row arrives as a new statement to
    parse and plan: a fifth of the database's work per derived click (docs/BENCHMARKS.md).
    Through Django's cursor elsewhere, and where queries are logged or wrapped (DEBUG, a test
    capturing queries)."""
    if not rows:
        return
    if connection.vendor != "postgresql" or connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(sql, rows)
