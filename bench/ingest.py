"""Ingest: Clay's single POST /api/links/ and a bulk POST of a JSON list, timed in-process.

Every link goes into a campaign named bench-ingest-*; the dataset module deletes those afterwards.
"""

import statistics
import time
import uuid

from django.test import Client


def measure(token, singles, bulk_size, log=print):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    run = uuid.uuid4().hex[:8]
    timings, statuses = [], {}
    for number in range(singles):
        started = time.perf_counter()
        response = client.post("/api/links/", _prospect(f"single-{run}", number), content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    single = {
        "requests": singles,
        "statuses": statuses,
        "p50_ms": statistics.median(timings),
        "p95_ms": sorted(timings)[int(0.95 * (len(timings) - 1))],
    }
    log(f"  single POST: p50 {single['p50_ms']:.1f} ms over {singles} (statuses {statuses})")

    body = [_prospect(f"bulk-{run}", number) for number in range(bulk_size)]
    started = time.perf_counter()
    response = client.post("/api/links/", body, content_type="application/json")
    seconds = time.perf_counter() - started
    created = len(response.json()) if response.status_code in (200, 201) else 0
    bulk = {"size": bulk_size, "status": response.status_code, "seconds": seconds, "links_returned": created}
    log(f"  bulk POST of {bulk_size}: HTTP {response.status_code} in {seconds:.2f} s ({created} links returned)")
    return {"single": single, "bulk": bulk}


def _prospect(campaign_suffix, number):
    return {
        "first_name": f"Ingest{number}",
        "last_name": "Prospect",
        "email": f"ingest{number}@prospect.example",
        "ICP": "CEO" if number % 10 else "",
        "campaign": f"bench-ingest-{campaign_suffix}",
        "destination_url": "https://www.example.com/offer",
    }
