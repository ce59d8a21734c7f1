"""Redirect throughput and latency: the app and the bare baseline under gunicorn, driven by wrk.

Both servers run side by side on 127.0.0.1 with the same gunicorn settings; wrk rounds alternate
between them (baseline, app, baseline, app, ...) and the medians are reported. The app runs as it
is deployed: gunicorn plus `manage.py worker` deriving the click figures during its rounds. The
baseline (bench/baseline_wsgi.py) writes into a plain clicks table of its own. After each round the
clicks each server stored are counted and compared with the 302s wrk received.
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.db.models import Count, Max

from bench.baseline_wsgi import BASELINE_TABLE, CREATE_TABLE
from bench.dataset import CHROME_USER_AGENT
from events.models import EventWatermark
from tracker.models import NOT_DESCRIBED, Click, ClickDerivation, StaleClickFigure

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LUA_SCRIPT = BASE_DIR / "bench" / "redirect.lua"


@contextmanager
def gunicorn(name, wsgi_app, workers, env, results_dir, access_log=False):
    """Serve `wsgi_app` on a free local port; yields its base URL."""
    port = _free_port()
    command = [
        GUNICORN,
        wsgi_app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(BASE_DIR),
        "--error-logfile",
        str(results_dir / f"gunicorn-{name}.err"),
    ]
    if access_log:
        command += ["--access-logfile", str(results_dir / f"gunicorn-{name}.access.log")]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, name, results_dir)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url, tokens_file, duration, connections, threads=2):
    """Run wrk once; returns its BENCH_JSON summary (see redirect.lua)."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(LUA_SCRIPT),
            "-H",
            f"User-Agent: {CHROME_USER_AGENT}",
            url,
            "--",
            str(tokens_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    summary = json.loads(line[len("BENCH_JSON ") :])
    summary["requests_per_second"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def measure(options, tokens_file, results_dir, log=print):
    """Interleaved rounds against the app and the baseline; returns per-server medians and checks."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    workers = options.workers or 2 * os.cpu_count()
    app_env = dict(os.environ)
    baseline_env = dict(os.environ, **_baseline_database_env())
    rounds = {"baseline": [], "app": [], "app_alone": []}
    create_baseline_table()
    with (
        gunicorn("app", "linktracker.wsgi:application", workers, app_env, results_dir, options.access_log) as app_url,
        gunicorn(
            "baseline", "bench.baseline_wsgi:application", workers, baseline_env, results_dir, options.access_log
        ) as baseline_url,
        Worker(app_env, results_dir) as derivation_worker,
    ):
        urls = {"baseline": baseline_url, "app": app_url, "app_alone": app_url}
        for name in ("baseline", "app"):  # warm-up: imports, connections, caches, page cache
            _round(name, urls[name], tokens_file, options.warmup, options.connections, derivation_worker)
        for number in range(1, options.rounds + 1):
            for name in ("baseline", "app", "app_alone"):
                result = _round(name, urls[name], tokens_file, options.duration, options.connections, derivation_worker)
                rounds[name].append(result)
                log(
                    f"  round {number} {name:>8}: {result['requests_per_second']:7.0f} req/s, "
                    f"p50 {result['p50_us'] / 1000:5.1f} ms, p99 {result['p99_us'] / 1000:5.1f} ms, "
                    f"302s {result['answered']}, clicks stored {result['clicks_stored']}, "
                    f"human {result['human_clicks']}, errors {result['errors']}"
                )
    summary = {name: _medians(results) for name, results in rounds.items()}
    summary["ratio"] = summary["app"]["requests_per_second"] / summary["baseline"]["requests_per_second"]
    summary["alone_ratio"] = summary["app_alone"]["requests_per_second"] / summary["baseline"]["requests_per_second"]
    summary["workers"] = workers
    summary["connections"] = options.connections
    summary["duration"] = options.duration
    summary["rounds"] = options.rounds
    summary["access_log"] = options.access_log
    summary["raw_rounds"] = rounds
    return summary


class Worker:
    """`manage.py worker` beside the app, as deployed: it derives the click figures and finds the
    hot leads during the run. stop() and start() take it away for the rounds of the redirect alone."""

    def __init__(self, env, results_dir):
        self.env = env
        self.log = (results_dir / "worker.log").open("w")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "manage.py"), "worker"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        self.process.terminate()  # it finishes its current job, as under a supervisor
        self.process.wait(timeout=30)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        self.log.close()


def create_baseline_table():
    """The baseline's own plain clicks table, emptied."""
    with connection.cursor() as cursor:
        for statement in CREATE_TABLE[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {BASELINE_TABLE}")


def drop_baseline_table():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")


def _round(name, url, tokens_file, duration, connections, worker):
    """One wrk round against `name`'s server. The app-alone round stops `worker` for its duration;
    after either app round, wait until the worker has caught up."""
    app = name.startswith("app")
    count = _clicks_by_verdict if app else _baseline_clicks_by_verdict
    before = _last_click_id() if app else _last_baseline_click_id()
    if name == "app_alone":
        worker.stop()
    result = wrk(url, tokens_file, duration, connections)
    result["ended_at"] = time.monotonic()
    if name == "app_alone":
        worker.start()
    stored = _settled_count(count, before)
    result["answered"] = result["requests"] - result["non_2xx_3xx"]
    result["clicks_stored"] = sum(stored.values())
    result["human_clicks"] = stored.get("human", 0)
    result["verdicts"] = stored
    result["errors"] = sum(
        result[k] for k in ("non_2xx_3xx", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    # wrk stops at the deadline with up to `connections` requests in flight: the server may
    # store those clicks without wrk counting the 302. More clicks than 302s by at most that is
    # expected; fewer is a lost click.
    result["lost_clicks"] = max(0, result["answered"] - result["clicks_stored"])
    result["in_flight_at_cutoff"] = max(0, result["clicks_stored"] - result["answered"])
    if app:
        result["catch_up_seconds"] = _worker_catch_up(result["ended_at"])
    return result


def _worker_catch_up(round_ended_at, limit=300):
    """Wait until the worker has derived every click of the round (counters, rollup, devices, and
    the recount of the links it described) and examined each for hot leads, so that its work never spills into the next round, the
    baseline's; return the seconds from the end of the round until then."""
    while time.monotonic() - round_ended_at < limit:
        derived_up_to = ClickDerivation.objects.values_list("last_click_id", flat=True).first() or 0
        hot_leads_up_to = EventWatermark.objects.values_list("last_click_id", flat=True).first() or 0
        if (
            derived_up_to >= _last_click_id()
            and hot_leads_up_to >= _last_click_id()
            and not Click.objects.filter(device_type=NOT_DESCRIBED).exists()
            and not StaleClickFigure.objects.exists()
        ):
            return time.monotonic() - round_ended_at
        time.sleep(0.2)
    raise SystemExit(f"the worker did not catch up within {limit} s of a round: see worker.log")


def _settled_count(count, before):
    """Clicks stored since `before`, by verdict, once the server has finished its last requests."""
    previous = None
    while True:
        time.sleep(0.5)
        counts = count(before)
        if counts == previous:
            return counts
        previous = counts


def _last_click_id():
    return Click.objects.aggregate(last=Max("id"))["last"] or 0


def _clicks_by_verdict(after):
    return dict(
        Click.objects.filter(id__gt=after).values_list("verdict").annotate(n=Count("id")).values_list("verdict", "n")
    )


def _last_baseline_click_id():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {BASELINE_TABLE}")
        return cursor.fetchone()[0]


def _baseline_clicks_by_verdict(after):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT verdict, COUNT(*) FROM {BASELINE_TABLE} WHERE id > %s GROUP BY verdict", [after])
        return dict(cursor.fetchall())


def _medians(results):
    return {
        "requests_per_second": statistics.median(r["requests_per_second"] for r in results),
        "p50_ms": statistics.median(r["p50_us"] for r in results) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in results) / 1000,
        "answered": sum(r["answered"] for r in results),
        "clicks_stored": sum(r["clicks_stored"] for r in results),
        "human_clicks": sum(r["human_clicks"] for r in results),
        "lost_clicks": sum(r["lost_clicks"] for r in results),
        "in_flight_at_cutoff": sum(r["in_flight_at_cutoff"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in results),
        "catch_up_seconds": statistics.median(r.get("catch_up_seconds", 0.0) for r in results),
    }


def _baseline_database_env():
    from django.db import connection

    if connection.vendor == "sqlite":
        return {"BENCH_SQLITE_PATH": str(connection.settings_dict["NAME"])}
    return {"BENCH_DATABASE_URL": os.environ["DATABASE_URL"]}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url, process, name, results_dir, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error_log = results_dir / f"gunicorn-{name}.err"
            raise SystemExit(f"gunicorn ({name}) exited:\n{error_log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/t/bench-readiness-probe", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer (404 expected) means it serves
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn ({name}) did not answer within {timeout} s")


def cpu_per_request(tokens_file, requests=2000):
    """CPU microseconds per redirect in this process, app vs baseline, alternating in blocks: a
    figure the shared machine's load barely moves, to explain the wrk ratio."""
    import importlib
    import io
    import random

    os.environ.update(_baseline_database_env())
    create_baseline_table()
    baseline = importlib.import_module("bench.baseline_wsgi").application
    app = importlib.import_module("linktracker.wsgi").application  # what gunicorn serves
    tokens = tokens_file.read_text().split()
    rng = random.Random(1)
    spent = {"baseline": 0.0, "app": 0.0}
    statuses = {"baseline": {}, "app": {}}
    for block in range(requests // 100):
        for name, application in (("baseline", baseline), ("app", app)):
            environs = [_environ(rng.choice(tokens), io) for _ in range(100)]
            started = time.process_time()
            for environ in environs:
                status = []
                body = application(environ, lambda s, headers, exc_info=None: status.append(s))
                b"".join(body)
                getattr(body, "close", lambda: None)()
                code = status[0][:3]
                statuses[name][code] = statuses[name].get(code, 0) + 1
            spent[name] += time.process_time() - started
    per_request = {name: spent[name] / requests * 1e6 for name in spent}
    return {
        "app_us": per_request["app"],
        "baseline_us": per_request["baseline"],
        "ratio": per_request["baseline"] / per_request["app"],
        "statuses": statuses,
        "requests": requests,
    }


def _environ(token, io):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/t/{token}",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": CHROME_USER_AGENT,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
