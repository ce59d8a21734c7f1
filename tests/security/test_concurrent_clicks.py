"""Nothing lost under load: thousands of concurrent clicks on a real gunicorn, one stored click per 302."""

import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count

from links.models import Link
from tests.factories import make_link
from tests.security.live import Gunicorn, fire_clicks, write_held_clicks_now

CLICKS = 3000
THREADS = 32
LINKS = 100


@pytest.mark.django_db(transaction=True)
def test_3000_concurrent_clicks_on_4_workers_each_store_exactly_one_click():
    """3,000 clicks from 32 threads on 4 gunicorn workers: all 302, each with exactly one stored click."""
    links = [make_link(email=f"prospect{i}@company.com") for i in range(LINKS)]

    with Gunicorn(workers=4) as server:
        started = time.monotonic()
        results = fire_clicks(server.url, [link.token for link in links], total=CLICKS, threads=THREADS)
        duration = time.monotonic() - started
        log = server.log()

    held = write_held_clicks_now()
    statuses = Counter(status for _, status in results)
    redirects_per_token = Counter(token for token, status in results if status == 302)
    stored_per_token = dict(Link.objects.annotate(stored=Count("clicks")).values_list("token", "stored"))
    print(
        f"\n[{connection.vendor}] clicks fired: {CLICKS}, 302s: {statuses[302]}, "
        f"stored: {sum(stored_per_token.values())}, 5xx: {sum(n for s, n in statuses.items() if str(s)[0] == '5')}, "
        f"duration: {duration:.1f}s ({CLICKS / duration:.0f} clicks/s), held then written: {held}"
    )
    assert statuses == {302: CLICKS}
    assert stored_per_token == {link.token: redirects_per_token[link.token] for link in links}
    assert "database is locked" not in log
    assert "Traceback" not in log
    assert duration < 120  # a stall (workers waiting on locks until killed) takes far longer
