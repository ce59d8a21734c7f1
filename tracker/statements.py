"""Raw SQL through the database driver's own cursor on Django's connection: the click path's two
statements (tracker.recording) and the worker's writes of the derived figures (tracker.counters,
tracker.facets, tracker.rollup); and raw_rows(), a queryset's rows without Django's conversions.

Django's cursor wrapper costs about 25 µs a statement, as much as the redirect's SELECT itself, and
on PostgreSQL it binds on the client: every statement, every row of an executemany, reaches the
server as new text to parse and plan. psycopg's own cursor binds on the server: psycopg prepares a
statement it has run DATABASE_PREPARE_THRESHOLD times on the connection (5 by default) and then
sends only its parameters (about 100 µs of CPU per redirect, a fifth of the database's work per
derived click). DATABASE_PREPARE_THRESHOLD="" turns preparing off (PgBouncer before 1.21 in
transaction mode cannot keep them).

Both functions run under Django's error wrapping (a failure is still a django.db.DatabaseError and
marks the connection for its usual recovery), and through Django's own cursor when queries are
logged (DEBUG, a test capturing queries), an execute wrapper is installed
(connection.execute_wrapper) or no connection is open yet.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections


def run_statement(sql: str, params: list, fetch: bool = False, database=None) -> list | None:
    """Run one statement (%s placeholders) on `database` (the default DatabaseWrapper, looked up
    if not given); return its rows when `fetch`."""
    if database is None:
        database = connections[DEFAULT_DB_ALIAS]
    if needs_django_cursor(database):
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else None
    with database.wrap_database_errors:
        cursor = fast_cursor(database)
        try:
            cursor.execute(driver_sql(sql), params)
            return cursor.fetchall() if fetch else None
        finally:
            cursor.close()


def run_many(sql: str, rows: list) -> None:
    """Run one statement (%s placeholders) once for each of `rows`; on PostgreSQL the rows are
    pipelined."""
    if not rows:
        return
    database = connections[DEFAULT_DB_ALIAS]
    if needs_django_cursor(database):
        with database.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    with database.wrap_database_errors:
        cursor = fast_cursor(database)
        try:
            cursor.executemany(driver_sql(sql), rows)
        finally:
            cursor.close()


def raw_rows(queryset) -> list[tuple]:
    """The rows of `queryset` as the driver returns them, without Django's conversion of each value
    (an aggregate of times is text on SQLite): for figures the worker only adds up and writes back
    (tracker.counters)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def needs_django_cursor(database) -> bool:
    return bool(database.queries_logged or database.execute_wrappers or database.connection is None)


if connection.vendor == "postgresql":
    import psycopg

    def fast_cursor(database):
        """A psycopg cursor that binds on the server (see above)."""
        return psycopg.Cursor(database.connection)

    def driver_sql(sql):
        return sql

else:

    def fast_cursor(database):
        return database.connection.cursor()

    def driver_sql(sql):
        """sqlite3 takes ? placeholders (Django's cursor converts them)."""
        return sql.replace("%s", "?")
