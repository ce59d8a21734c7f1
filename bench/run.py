"""Link Tracker benchmark: the redirect against a bare baseline, the dashboard and ingest at scale.

    .venv/bin/python bench/run.py                    # SQLite (PostgreSQL if DATABASE_URL is one)
    .venv/bin/python bench/run.py --db both          # both, side by side in one table
    .venv/bin/python bench/run.py --only redirect --duration 20 --rounds 5
    .venv/bin/python bench/run.py --db postgres --explain --only dashboard

Builds (or reuses) a dedicated database: var/bench/bench.sqlite3, or the `linktracker_bench`
database on the PostgreSQL server DATABASE_URL names (127.0.0.1:5432 by default), never the user's.
Writes bench/results/latest.md and the figures block of docs/BENCHMARKS.md. See bench/README.md.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
BENCH_VAR_DIR = BASE_DIR / "var" / "bench"
BENCH_DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "linktracker_bench")
STAGES = ("redirect", "dashboard", "ingest")
sys.path.insert(0, str(BASE_DIR))


def parse_arguments(argv=None):
    default_db = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default=default_db,
        help=f"database(s) to measure (default: {default_db})",
    )
    parser.add_argument("--only", choices=STAGES, action="append", help="run only this stage (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the dataset even if it is cached")
    parser.add_argument("--skip-build", action="store_true", help="use the bench database as it is")
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per server (default 3)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server (default 3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--access-log", action="store_true", help="turn gunicorn's access log on")
    parser.add_argument("--repetitions", type=int, default=7, help="timed requests per endpoint and filter")
    parser.add_argument("--export-repetitions", type=int, default=3)
    parser.add_argument("--singles", type=int, default=50, help="single POSTs to time")
    parser.add_argument("--bulk-size", type=int, default=10_000)
    parser.add_argument(
        "--explain", action="store_true", help="save every analytics query's plan to bench/results/explain-<db>.md"
    )
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    parser.add_argument("--no-report", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--export-memory-probe", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main():
    options = parse_arguments()
    if options.export_memory_probe:  # a child of dashboard.export_memory, environment inherited
        _setup_django()
        from bench import dashboard, dataset

        print(
            json.dumps(dashboard.export_memory_probe(dataset.operator_token(), json.loads(options.export_memory_probe)))
        )
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if options.db == "both":
        results = {db: _run_in_child(db) for db in ("sqlite", "postgres")}
    else:
        results = {options.db: run_one(options.db, options)}
        if options.json_out:
            Path(options.json_out).write_text(json.dumps(results[options.db], indent=1, default=str))
    if not options.no_report:
        from bench import report

        print()
        print(report.write(results, RESULTS_DIR / "latest.md", BASE_DIR / "docs" / "BENCHMARKS.md"))
        print(f"Written to {RESULTS_DIR / 'latest.md'} and docs/BENCHMARKS.md")


def run_one(db, options):
    """Everything on one database, in this process; returns the figures as a dict."""
    _point_at_bench_database(db, rebuild=options.rebuild and not options.skip_build)
    _setup_django()
    from django.db import connection

    from bench import dataset

    stages = options.only or STAGES
    log = _log(db)
    parameters = dataset.Parameters(links=options.links, clicks=options.clicks)
    if options.skip_build:
        status = "existing database reused (--skip-build)"
    else:
        log("dataset ...")
        status = dataset.ensure(parameters, rebuild=options.rebuild)
    log(f"dataset {status}")
    results = {"database_version": _database_version(connection), "dataset": _describe_dataset(parameters, status)}
    token, campaign = dataset.operator_token(), dataset.campaign_for_filter()
    try:
        if "redirect" in stages:
            from bench import load

            tokens_file = RESULTS_DIR / f"tokens-{db}.txt"
            log(f"redirect: {dataset.sample_tokens(tokens_file)} tokens in {tokens_file.name}")
            results["redirect"] = load.measure(options, tokens_file, RESULTS_DIR, log)
            cpu = results["redirect"]["cpu"] = load.cpu_per_request(tokens_file)
            log(
                f"  CPU per redirect in-process: app {cpu['app_us']:.0f} us, baseline {cpu['baseline_us']:.0f} us "
                f"(baseline / app {cpu['ratio']:.2f}; statuses {cpu['statuses']})"
            )
            dataset.remove_bench_leftovers()
        if "dashboard" in stages:
            from bench import dashboard

            log(
                f"dashboard: {options.repetitions} repetitions (export {options.export_repetitions}), "
                f"campaign filter {campaign!r}"
            )
            results["dashboard"] = dashboard.measure(
                token, campaign, options.repetitions, options.export_repetitions, log
            )
            log("export memory, each in a fresh process")
            try:
                results["export_memory"] = dashboard.export_memory(campaign)
            except subprocess.CalledProcessError as error:
                last_line = (error.stderr or "").strip().splitlines()[-1:] or ["no output"]
                results["export_memory"] = {"all links": {"error": f"failed: {last_line[0][:150]}"}}
            if options.explain:
                plans = dashboard.explain(token, campaign, log)
                path = RESULTS_DIR / f"explain-{db}.md"
                path.write_text(f"# Query plans on {db} ({results['database_version']})\n\n{plans}")
                log(f"plans written to {path}")
        if "ingest" in stages:
            from bench import ingest

            results["ingest"] = ingest.measure(token, options.singles, options.bulk_size, log)
    finally:
        dataset.remove_bench_leftovers()
    return results


def _run_in_child(db):
    """Each database gets its own process: Django's settings are read once per process."""
    json_out = RESULTS_DIR / f"{db}.json"
    command = [sys.executable, __file__, *sys.argv[1:], "--db", db, "--json-out", str(json_out), "--no-report"]
    subprocess.run(command, check=True)
    return json.loads(json_out.read_text())


def _point_at_bench_database(db, rebuild):
    """Set the environment the app (and the gunicorn servers we start) will read."""
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "linktracker.settings",
            "VAR_DIR": str(BENCH_VAR_DIR),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    if db == "sqlite":
        path = BENCH_VAR_DIR / "bench.sqlite3"
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return
    import psycopg

    server = urlsplit(
        os.environ.get("BENCH_POSTGRES_URL")
        or (
            os.environ["DATABASE_URL"]
            if os.environ.get("DATABASE_URL", "").startswith("postgres")
            else "postgres://postgres@127.0.0.1:5432/postgres"
        )
    )
    maintenance = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if rebuild:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE_NAME} WITH (FORCE)")
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE_NAME]).fetchone()
        if not exists:
            admin.execute(f"CREATE DATABASE {BENCH_DATABASE_NAME}")
    os.environ["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{BENCH_DATABASE_NAME}"))


def _setup_django():
    import logging

    import django

    django.setup()
    # A failing endpoint is reported in the table (HTTP 500 and the exception's name), not as
    # pages of tracebacks between the figures.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


def _database_version(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0].split()[0]


def _describe_dataset(parameters, status):
    """What is really in the database (counted, not assumed)."""
    from django.db.models import Count, Q

    from links.models import Campaign, Link
    from tracker.models import Click

    links = Link.objects.aggregate(
        total=Count("id"), without_icp=Count("id", filter=Q(icp__isnull=True)), icps=Count("icp", distinct=True)
    )
    clicks = Click.objects.aggregate(total=Count("id"), machine=Count("id", filter=~Q(verdict="human")))
    return {
        "links": links["total"],
        "campaigns": Campaign.objects.count(),
        "icps": links["icps"],
        "null_icp_share": links["without_icp"] / max(1, links["total"]),
        "clicks": clicks["total"],
        "machine_click_share": clicks["machine"] / max(1, clicks["total"]),
        "days": parameters.days,
        "status": status,
    }


def _log(db):
    def log(message):
        print(f"[{db}] {message}", flush=True)

    return log


if __name__ == "__main__":
    main()
