"""Link Tracker benchmark: the redirect against a bare baseline, the dashboard and ingest at scale.

    .venv/bin/python bench/run.py                    # SQLite (PostgreSQL if DATABASE_URL is one)
    .venv/bin/python bench/run.py --db both          # both, side by side in one table
    .venv/bin/python bench/run.py --only redirect --duration 20 --rounds 5
    .venv/bin/python bench/run.py --db postgres --explain --only dashboard
    .venv/bin/python bench/run.py --db both --only growth --growth 100000,1000000,3000000

Builds (or reuses) a dedicated database per dataset size: var/bench/bench.sqlite3, or the
`linktracker_bench` database on the PostgreSQL server DATABASE_URL names (127.0.0.1:5432 by
default), never the user's; other sizes get their own (bench-<links>-<clicks>.sqlite3,
linktracker_bench_<links>_<clicks>), so that each size stays cached.
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
STAGES = ("redirect", "dashboard", "ingest", "growth")
DEFAULT_SIZE = (100_000, 1_000_000)
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
    parser.add_argument(
        "--growth",
        type=_click_counts,
        default=[],
        metavar="CLICKS,CLICKS,...",
        help="time every dashboard figure on a dataset of each of these click counts (links fixed at --links)",
    )
    parser.add_argument("--figures-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    parser.add_argument("--no-report", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--export-memory-probe", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _click_counts(text):
    try:
        counts = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"click counts separated by commas, not {text!r}") from None
    if not counts or min(counts) <= 0:
        raise argparse.ArgumentTypeError("at least one click count, each above 0")
    return sorted(set(counts))


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

        table, written = report.write(results, RESULTS_DIR / "latest.md", BASE_DIR / "docs" / "BENCHMARKS.md")
        print()
        print(table)
        print("Written to " + " and ".join(str(path) for path in written))


def run_one(db, options):
    """Everything on one database, in this process (each growth size in a child); returns the
    figures as a dict."""
    if options.figures_only:
        return figures_at_size(db, options)
    stages = [*(options.only or STAGES), *(["growth"] if options.growth else [])]
    results = {}
    if set(stages) - {"growth"}:
        results = run_stages(db, options, stages)
    if "growth" in stages and options.growth:
        results["growth"] = growth(db, options)
        results.setdefault("database_version", results["growth"][0]["database_version"])
    return results


def growth(db, options):
    """The dashboard figures at each of the --growth click counts, the links fixed at --links: each
    size is its own cached dataset, measured in its own process (Django reads its database once)."""
    points = []
    for clicks in options.growth:
        json_out = RESULTS_DIR / f"growth-{db}-{options.links}-{clicks}.json"
        command = [
            sys.executable,
            __file__,
            "--db",
            db,
            "--links",
            str(options.links),
            "--clicks",
            str(clicks),
            "--repetitions",
            str(options.repetitions),
            "--figures-only",
            "--json-out",
            str(json_out),
            "--no-report",
            *(["--rebuild"] if options.rebuild else []),
            *(["--skip-build"] if options.skip_build else []),
        ]
        subprocess.run(command, check=True)
        points.append(json.loads(json_out.read_text()))
    return points


def figures_at_size(db, options):
    """One growth point: the dataset of --links and --clicks (built or reused), every dashboard
    figure timed for range=all over every campaign."""
    _point_at_bench_database(db, options.rebuild and not options.skip_build, options.links, options.clicks)
    _setup_django()
    from django.db import connection

    from bench import dashboard, dataset

    log = _log(db)
    parameters = dataset.Parameters(links=options.links, clicks=options.clicks)
    log(f"growth: dataset of {options.clicks:,} clicks ...")
    status = "existing database reused (--skip-build)" if options.skip_build else dataset.ensure(parameters)
    log(f"growth: dataset {status}")
    try:
        figures = dashboard.measure_figures(dataset.operator_token(), options.repetitions, log)
    finally:
        dataset.remove_bench_leftovers()
    return {
        "database_version": _database_version(connection),
        "dataset": _describe_dataset(parameters, status),
        "figures": figures,
    }


def run_stages(db, options, stages):
    """The redirect, dashboard and ingest stages on the dataset of --links and --clicks."""
    _point_at_bench_database(db, options.rebuild and not options.skip_build, options.links, options.clicks)
    _setup_django()
    from django.db import connection

    from bench import dataset

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


def _point_at_bench_database(db, rebuild, links, clicks):
    """Set the environment the app (and the gunicorn servers we start) will read: the database of
    this dataset size."""
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    sized = "" if (links, clicks) == DEFAULT_SIZE else f"_{links}_{clicks}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "linktracker.settings",
            "VAR_DIR": str(BENCH_VAR_DIR),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    if db == "sqlite":
        path = BENCH_VAR_DIR / f"bench{sized.replace('_', '-')}.sqlite3"
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
    name = BENCH_DATABASE_NAME + sized
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if rebuild:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{name}"))


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
