"""System checks: the derived click figures are only right when their machinery is in place.

`manage.py check` checks the settings (the worker runs the derivation job, the city database can
be read); `manage.py check --database default` also looks at the database: the derivation's
tables migrated, no click trigger left from an older schema, and how far the worker lags behind.
"""

from datetime import timedelta

import maxminddb
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

DERIVATION_JOB = "tracker.derivation.derive_click_figures"
DERIVATION_MIGRATION = ("tracker", "0005_derived_click_figures")
OLD_TRIGGERS = ("click_counters_insert", "click_counters_delete", "click_counters_update")
OLD_TRIGGERS += ("click_rollup_insert", "click_rollup_delete", "click_rollup_update")
LAG_WARNING = timedelta(minutes=5)
DESCRIBE_JOB = "tracker.devices.describe_new_clicks"


@register()
def check_worker_derives_click_figures(app_configs=None, **kwargs):
    """The worker must run the derivation job, or the counters and the rollup stop moving."""
    if DERIVATION_JOB in getattr(settings, "WORKER_JOBS", []):
        return []
    return [
        Error(
            f"WORKER_JOBS does not contain {DERIVATION_JOB!r}: link counters and the click rollup would never update.",
            hint=f"Add {DERIVATION_JOB!r} to WORKER_JOBS in the settings.",
            id="tracker.E001",
        )
    ]


@register(Tags.database)
def check_derived_click_figures(app_configs=None, databases=None, **kwargs):
    """Errors when the derivation's migration is applied but its tables or the old triggers say
    otherwise; a warning when the worker lags far behind. Before that migration (a database being
    migrated) there is nothing to check: `migrate` itself runs these checks."""
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        try:
            applied = MigrationRecorder(connection).applied_migrations()
            if DERIVATION_MIGRATION not in applied:
                continue
            problems += _check_database(connection)
        except DatabaseError as error:
            problems.append(Error(f"Could not check the derived click figures: {error}", id="tracker.E004"))
    return problems


def _check_database(connection):
    from tracker.derivation import derivation_lag
    from tracker.models import ClickDerivation

    problems = []
    tables = connection.introspection.table_names()
    if ClickDerivation._meta.db_table not in tables:
        problems.append(
            Error(
                "The click derivation table is missing although its migration is recorded as applied.",
                hint="Restore the table (migrate tracker 0004, then migrate) or the database from a backup.",
                id="tracker.E002",
            )
        )
        return problems
    if triggers := _old_triggers(connection):
        problems.append(
            Error(
                f"Click triggers from an older schema are still installed: {', '.join(triggers)}.",
                hint="They would write on every click; drop them (migrate tracker 0004, then migrate), "
                "then run manage.py recount_clicks.",
                id="tracker.E003",
            )
        )
    waiting, as_of = derivation_lag()
    if waiting and (as_of is None or timezone.now() - as_of > LAG_WARNING):
        problems.append(
            Warning(
                f"{waiting} clicks are not in the link counters yet"
                + (f" (figures as of {as_of:%Y-%m-%d %H:%M} UTC)." if as_of else "."),
                hint="Is `manage.py worker` running?",
                id="tracker.W001",
            )
        )
    return problems


def _old_triggers(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")
        else:
            return []
        return [name for (name,) in cursor.fetchall() if name in OLD_TRIGGERS]


@register()
def describe_job_is_scheduled(app_configs=None, **kwargs):
    """Devices, OS, browsers and the forwarding evidence come from the worker's describe job: say
    so when the worker is configured without it."""
    jobs = getattr(settings, "WORKER_JOBS", None)
    if jobs is None or DESCRIBE_JOB in jobs:
        return []
    return [
        Warning(
            f"WORKER_JOBS does not include {DESCRIBE_JOB}.",
            hint="Without it clicks get no device type, OS or browser and no link is marked as "
            "forwarded. Add it to WORKER_JOBS, or run `manage.py describe_clicks --sharing` now and then.",
            id="tracker.W002",
        )
    ]


CITY_DATABASE_HINT = (
    "Point it at a city database in MaxMind's format (e.g. GeoLite2-City.mmdb), or leave it empty to store no cities."
)
# What the database types of city databases say (GeoLite2-City, GeoIP2-City, DBIP-City-Lite, and
# GeoIP2-Enterprise, which has cities too); GeoLite2-Country, GeoLite2-ASN and the like have none.
CITY_DATABASE_TYPE_WORDS = ("city", "enterprise")


@register()
def check_city_database(app_configs=None, **kwargs):
    """GEOIP_MMDB_PATH set to a file that is missing, is not a MaxMind database or is one without
    cities (a country or ASN database): the redirect goes on and its clicks get no city, so say it
    here rather than in the logs only."""
    path = getattr(settings, "GEOIP_MMDB_PATH", "")
    if not path:
        return []
    try:
        with maxminddb.open_database(path) as database:
            database_type = database.metadata().database_type
    except FileNotFoundError:
        problem = f"GEOIP_MMDB_PATH names a file that does not exist: {path}."
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
        problem = f"GEOIP_MMDB_PATH={path} is not a readable MaxMind database: {error}"
    else:
        if any(word in database_type.lower() for word in CITY_DATABASE_TYPE_WORDS):
            return []
        return [
            Warning(
                f"GEOIP_MMDB_PATH={path} is a {database_type} database, not a city database: clicks get no city.",
                hint=CITY_DATABASE_HINT,
                id="tracker.W003",
            )
        ]
    return [Error(problem, hint=CITY_DATABASE_HINT, id="tracker.E005")]
