"""Hot-lead alerts: click-to-delivery latency with a local receiver, and the redirect's cost with
three webhook endpoints configured.

    .venv/bin/python bench/events.py [--clicks 60] [--tick 1.0] [--redirects 2000]

Runs against its own database: var/bench/events.sqlite3, or BENCH_EVENTS_DATABASE_URL (e.g. a
PostgreSQL database of its own). Clicks go through the real redirect (linktracker.wsgi's path);
the worker is imitated by a loop that, every --tick seconds, runs events.jobs.find_hot_leads and
then the due tasks, as `manage.py worker` does. Latency is measured from the click to the
receiver's arrival; a click waits BURST_WINDOW_SECONDS + 1 s to settle before any event, so the
report also gives the latency after settling.
"""

import argparse
import http.server
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linktracker.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_EVENTS_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'events.sqlite3'}"
)
(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from events.jobs import find_hot_leads  # noqa: E402
from events.models import WebhookEndpoint  # noqa: E402
from links.models import Campaign, Link  # noqa: E402
from tracker.views import answer_tracking_url  # noqa: E402

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def start_receiver(arrivals):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrivals[json.loads(body)["data"]["token"]] = time.time()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def run_due_tasks():
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim("bench")
        result = row.task_result
        row.set_successful(row.task.call(*result.args, **result.kwargs))


def click(token, address):
    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": address, "HTTP_USER_AGENT": CHROME, "QUERY_STRING": ""}
    status, _, _ = answer_tracking_url(environ, token)
    assert status == 302, status


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_latency(clicks, tick, spread):
    arrivals = {}
    server, url = start_receiver(arrivals)
    WebhookEndpoint.objects.all().delete()
    WebhookEndpoint.objects.create(url=url, kind="json")
    campaign, _ = Campaign.objects.get_or_create(name="bench-events")
    run = int(time.time())
    links = [
        Link.objects.create(
            email=f"p{number}-{run}@bench.example", campaign=campaign, destination_url="https://example.com/"
        )
        for number in range(clicks)
    ]
    clicked = {}
    next_click = 0
    started = time.time()
    # Clicks arrive spread over `spread` seconds while the worker loop ticks.
    while len(arrivals) < clicks and time.time() - started < spread + 60:
        tick_started = time.time()
        while next_click < clicks and time.time() - started >= next_click * spread / clicks:
            link = links[next_click]
            clicked[link.token] = time.time()
            click(link.token, f"82.64.{next_click % 250}.7")
            next_click += 1
        find_hot_leads()
        run_due_tasks()
        time.sleep(max(0.0, tick - (time.time() - tick_started)))
    server.shutdown()
    latencies = [arrivals[token] - clicked[token] for token in clicked if token in arrivals]
    settle = settings.BURST_WINDOW_SECONDS + 1
    return {
        "clicks": clicks,
        "delivered": len(latencies),
        "p50_s": statistics.median(latencies),
        "p99_s": percentile(latencies, 0.99),
        "p50_after_settling_s": statistics.median(latencies) - settle,
        "settle_s": settle,
    }


def measure_redirect(redirects, rounds=5):
    """Median µs per redirect (in-process, the same call gunicorn's fast path makes) with no
    endpoint and with three, interleaved."""
    campaign, _ = Campaign.objects.get_or_create(name="bench-events-redirect")
    link = Link.objects.create(
        email=f"r{time.time()}@bench.example", campaign=campaign, destination_url="https://example.com/"
    )
    results = {0: [], 3: []}
    for _ in range(rounds):
        for endpoints in (0, 3):
            WebhookEndpoint.objects.all().delete()
            for kind in ("json", "slack", "clay")[:endpoints]:
                WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook", kind=kind)
            started = time.perf_counter()
            for number in range(redirects):
                click(link.token, f"10.{number % 250}.0.1")  # distinct networks: no burst rewrite chain
            results[endpoints].append((time.perf_counter() - started) / redirects * 1e6)
    WebhookEndpoint.objects.all().delete()
    return {f"{n}_endpoints_us": statistics.median(values) for n, values in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=60)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds over which the clicks arrive")
    parser.add_argument("--tick", type=float, default=1.0, help="the worker's tick (WORKER_TICK_SECONDS)")
    parser.add_argument("--redirects", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    latency = measure_latency(args.clicks, args.tick, args.spread)
    print(
        f"click -> delivery ({latency['delivered']}/{latency['clicks']} delivered, tick {args.tick} s):"
        f" p50 {latency['p50_s']:.2f} s, p99 {latency['p99_s']:.2f} s"
        f" (of which {latency['settle_s']} s is the settling wait; p50 after it {latency['p50_after_settling_s']:.2f} s)"
    )
    redirect = measure_redirect(args.redirects)
    print(
        f"redirect in-process: {redirect['0_endpoints_us']:.0f} µs with no endpoint,"
        f" {redirect['3_endpoints_us']:.0f} µs with three (median of 5 interleaved rounds of {args.redirects})"
    )


if __name__ == "__main__":
    main()
