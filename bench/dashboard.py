"""Dashboard at scale: every analytics endpoint, the links list and the CSV export, timed in-process.

Requests go through Django's test client with the operator's API token, so they run the real
URLconf, middleware, authentication, FilterSets and queries; only the network is left out.
"""

import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

ENDPOINTS = [
    ("icp-stats", "/api/icp-stats"),
    ("overview", "/api/stats/overview/"),
    ("funnel", "/api/stats/funnel/"),
    ("heatmap", "/api/stats/heatmap/"),
    ("timeline", "/api/stats/timeline/"),
    ("top-clickers", "/api/stats/top-clickers/"),
    ("icp-metrics", "/api/stats/icp-metrics/"),
    ("accounts", "/api/stats/accounts/"),
    ("countries", "/api/stats/countries/"),
    ("devices", "/api/stats/devices/"),
    ("cities", "/api/stats/cities/"),
    ("campaigns", "/api/campaigns/"),
    ("links (first page)", "/api/links/"),
]
EXPORT = ("export.csv", "/api/export.csv")
RANGES = ("all", "7d")


def filter_combinations(campaign):
    """(label, query parameters) for range=all/7d, without and with a campaign filter."""
    for period in RANGES:
        yield f"range={period}", {"range": period}
        yield f"range={period}, one campaign", {"range": period, "campaign": campaign}


def measure(token, campaign, repetitions, export_repetitions, log=print):
    """Median and p95 milliseconds per endpoint and filter; the export also gets its row count."""
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    results = []
    for name, path in ENDPOINTS + [EXPORT]:
        for label, params in filter_combinations(campaign):
            reps = export_repetitions if (name, path) == EXPORT else repetitions
            row = _time_endpoint(client, path, params, reps)
            row.update(endpoint=name, filters=label)
            results.append(row)
            log(
                f"  {name:>20} {label:<28} "
                + (
                    f"median {row['median_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms"
                    + (f"  ({row['rows']} rows)" if "rows" in row else "")
                    if row["status"] == 200
                    else f"HTTP {row['status']} {row.get('error', '')}"
                )
            )
    return results


def measure_figures(token, repetitions, log=print):
    """Median milliseconds of every dashboard figure (the endpoints, not the export) for range=all
    over every campaign: the reading that grows with the clicks if any does."""
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    results = []
    for name, path in ENDPOINTS:
        row = _time_endpoint(client, path, {"range": "all"}, repetitions)
        row.update(endpoint=name, filters="range=all")
        results.append(row)
        log(
            f"  {name:>20} "
            + (f"median {row['median_ms']:8.1f} ms" if row["status"] == 200 else f"HTTP {row['status']}")
        )
    return results


def export_memory(campaign):
    """Peak memory of the CSV export of every link vs one campaign's links, each measured in a
    fresh process (peak RSS cannot be reset within a process)."""
    return {
        scope: _export_memory_in_subprocess(params)
        for scope, params in (("all links", {"range": "all"}), ("one campaign", {"range": "all", "campaign": campaign}))
    }


def explain(token, campaign, log=print):
    """The database's plan for every query each endpoint runs (range=all and 7d, with a campaign)."""
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    sections = []
    for name, path in ENDPOINTS + [EXPORT]:
        for label, params in (
            ("range=all", {"range": "all"}),
            ("range=7d, one campaign", {"range": "7d", "campaign": campaign}),
        ):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params)
                _consume(response)
            queries = [q["sql"] for q in captured.captured_queries if _is_analytics_query(q["sql"])]
            sections.append(f"## {name} ({label}): HTTP {response.status_code}, {len(queries)} queries\n")
            for sql in queries:
                sections.append(f"```sql\n{sql}\n```\n```\n{_plan(sql)}\n```\n")
    log(f"  {len(sections)} plan sections")
    return "\n".join(sections)


def _time_endpoint(client, path, params, repetitions):
    response = client.get(path, params)  # warm-up, and the status and size we report
    body = _consume(response)
    row = {"path": path, "status": response.status_code}
    if response.status_code != 200:
        if getattr(response, "exc_info", None):
            row["error"] = response.exc_info[0].__name__
        return row
    if path.endswith(".csv"):
        row["rows"] = body.count(b"\n") - 1
    timings = []
    for _ in range(repetitions):
        started = time.perf_counter()
        _consume(client.get(path, params))
        timings.append((time.perf_counter() - started) * 1000)
    row["median_ms"] = statistics.median(timings)
    row["p95_ms"] = _percentile(timings, 95)
    row["repetitions"] = repetitions
    return row


def _consume(response):
    """Read the whole body (to the last byte, for streaming responses)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _percentile(values, percent):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _is_analytics_query(sql):
    lowered = sql.lstrip().lower()
    return (
        lowered.startswith(("select", "with"))
        and "access_apitoken" not in lowered
        and "authtoken_token" not in lowered
        and "django_session" not in lowered
    )


def _plan(sql):
    """The query plan of a captured statement; a statement whose logged text can't be replayed
    (raw SQL keeps its %% escapes in the log) is reported, not fatal to the run."""
    try:
        return _query_plan(sql)
    except DatabaseError as error:
        return f"(plan unavailable: {error})"


def _query_plan(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return "\n".join(lines)


def _export_memory_in_subprocess(params):
    command = [sys.executable, str(Path(__file__).with_name("run.py")), "--export-memory-probe", json.dumps(params)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def export_memory_probe(token, params):
    """Run inside a fresh process: one export, returns its rows, seconds, RSS growth and the
    Python heap's peak (tracemalloc), in MiB."""
    import resource

    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    _consume(client.get("/api/links/", {"page_size": 1}))  # import and connect before measuring
    rss_before = _current_rss_mib()
    started = time.perf_counter()
    response = client.get(EXPORT[1], params)
    lines = _count_lines(response)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}"}
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    _count_lines(client.get(EXPORT[1], params))
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": lines - 1,
        "seconds": seconds,
        "rss_growth_mib": max(0.0, rss_peak - rss_before),
        "heap_peak_mib": heap_peak / 2**20,
    }


def _count_lines(response):
    """Read a streamed body as a downloading client does, a chunk at a time, keeping none of it:
    the probe measures the server side's memory, not a buffer of the whole file."""
    return sum(chunk.count(b"\n") for chunk in response.streaming_content)


def _current_rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
