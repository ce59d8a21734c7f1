"""No request that reads writes, locks or rolls up: every figure the dashboard and the API show is
read with plain SELECTs, however far behind the rollup is; the worker alone derives figures."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.api_urls import router
from tests.analytics.conftest import NOW
from tracker.models import ClickQuarterCount, RollupWatermark

pytestmark = pytest.mark.django_db

# Every figure of the stats router, so that a new one is checked too.
STATS_PATHS = sorted(reverse(pattern.name) for pattern in router.urls if pattern.name.startswith("stats-"))
READ_PATHS = [
    *STATS_PATHS,
    "/api/icp-stats",
    "/api/campaigns/",
    "/api/links/",
    "/api/export.csv",
    "/dashboard/",
]


def statements_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:200])
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("path", READ_PATHS)
@pytest.mark.parametrize("query", ["", "?range=7d&campaign=aura.camp&include_bots=true"])
def test_a_read_runs_only_selects_and_takes_no_lock(api, client, operator, world, path, query):
    """An hour after the world's last derivation pass (the rollup is then two quarters behind), a
    GET answers with SELECT statements only: no INSERT/UPDATE/DELETE, no LOCK TABLE, no FOR UPDATE."""
    client.force_login(operator)
    reader = client if path == "/dashboard/" else api
    watermark = RollupWatermark.objects.get().rolled_up_until
    rows = ClickQuarterCount.objects.count()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        statements = statements_of(reader, path + query)

    assert statements, path
    for sql in statements:
        assert sql.lstrip(" (").upper().startswith(("SELECT", "WITH")), sql  # "(SELECT ... UNION ALL"
        assert "FOR UPDATE" not in sql.upper() and "LOCK" not in sql.upper(), sql
    assert (RollupWatermark.objects.get().rolled_up_until, ClickQuarterCount.objects.count()) == (watermark, rows)
