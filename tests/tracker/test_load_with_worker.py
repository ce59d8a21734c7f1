"""Clicks under concurrent load while the worker derives: the real gunicorn (shipped settings) and
the real `manage.py worker` on the test database. Every click redirects to its link's destination
and is stored once; once the worker has caught up, each link's counters and the API's figures equal
what a direct count of the clicks gives, and the worker caught up within seconds of the last click."""

import json
import threading
import time
from collections import Counter
from http.client import HTTPConnection, HTTPException

import pytest
from django.db import connection
from django.db.models import Count, Max, Min, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from links.models import NOT_DEFINED_ICP, Link
from tests.factories import make_link
from tests.security.live import Gunicorn, WorkerProcess, warm_up
from tests.tracker.user_agents import CHROME, CURL, EDGE, FIREFOX, LINKEDINBOT, PYTHON_REQUESTS, SAFARI, SLACKBOT
from tracker.derivation import derivation_lag, figures_as_of
from tracker.held_clicks import held_click_paths
from tracker.models import NOT_DESCRIBED, Click, ClickDerivation, StaleClickFigure, Verdict, WrittenHeldClick

pytestmark = pytest.mark.django_db(transaction=True)

LINKS = 300
PROSPECT_THREADS = 20  # each a prospect's network clicking its own links (no burst between them)
BURST_THREADS = 4  # a scanner farm: the same few links from as many networks at once
BURST_LINKS = 4
NEVER_CLICKED = 20
LOAD_SECONDS = 6
CATCH_UP_SECONDS = 10  # the worker's freshness promise: figures within a few ticks of the last click
WAIT_LIMIT = 20
HUMAN_AGENTS = [CHROME, FIREFOX, SAFARI, EDGE]
SCANNER_AGENTS = [SLACKBOT, LINKEDINBOT, PYTHON_REQUESTS, CURL]
SCANNER_EVERY = 20  # one click in 20 is a link previewer or a script
HOT_EVERY = 3  # one click in 3 goes to the thread's hot link, clicked again and again
ICPS = ["CEO", "CTO", None, "DRH", "Head of Sales", None]


def prospects():
    """LINKS links, most with an ICP, each with its own destination: the first two thirds in one
    campaign, the rest in another, sent to the same prospects as the first third."""
    second_campaign_from = LINKS * 2 // 3
    return [
        make_link(
            email=f"prospect{i % second_campaign_from}@company{i % second_campaign_from % 37}.com",
            campaign="wesser-recrutement.fr" if i < second_campaign_from else "acme-outbound.com",
            icp=ICPS[i % len(ICPS)],
            destination_url=f"https://acme.com/offer/{i}",
        )
        for i in range(LINKS)
    ]


def click_plans(links):
    """[(network, links to click in turn, whether previewers and scripts are among them)], one per
    thread. A prospect thread clicks only its own links (its hot one every HOT_EVERY clicks) from its
    own /24; the burst threads all click the same BURST_LINKS links, each from its own /24."""
    burst_links = links[-NEVER_CLICKED - BURST_LINKS : -NEVER_CLICKED]
    clicked = links[: -NEVER_CLICKED - BURST_LINKS]
    plans = []
    for thread in range(PROSPECT_THREADS):
        hot, *others = clicked[thread::PROSPECT_THREADS]
        cycle = [
            hot if step % HOT_EVERY == 0 else others[step % len(others)] for step in range(len(others) * HOT_EVERY)
        ]
        plans.append((f"90.84.{thread}.17", cycle, True))
    for thread in range(BURST_THREADS):
        plans.append((f"185.{thread + 10}.7.9", burst_links[thread:] + burst_links[:thread], False))
    return plans


def user_agent(step, with_machines):
    """A desktop browser's agent, or every SCANNER_EVERY clicks a link previewer's or a script's."""
    if with_machines and step % SCANNER_EVERY == SCANNER_EVERY - 1:
        return SCANNER_AGENTS[step // SCANNER_EVERY % len(SCANNER_AGENTS)]
    return HUMAN_AGENTS[step % len(HUMAN_AGENTS)]


class Load:
    """One thread per plan, each on one keep-alive connection (a new one after an error), clicking
    as fast as answers come for `seconds`. results: (link id, status or error, Location)."""

    def __init__(self, base_url, plans, seconds):
        self.host = base_url.removeprefix("http://")
        self.plans, self.seconds = plans, seconds
        self.results = []
        self.lock = threading.Lock()

    def run(self):
        deadline = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self.clicker, args=(plan, deadline)) for plan in self.plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.seconds + 60)
        assert not any(thread.is_alive() for thread in threads), "a client thread hung"
        return self.results

    def clicker(self, plan, deadline):
        network, cycle, with_machines = plan
        results = []
        conn = HTTPConnection(self.host, timeout=30)
        step = 0
        while time.monotonic() < deadline:
            link = cycle[step % len(cycle)]
            headers = {"User-Agent": user_agent(step, with_machines), "X-Forwarded-For": network}
            step += 1
            try:
                conn.request("GET", f"/t/{link.token}", headers=headers)
                response = conn.getresponse()
                response.read()
                results.append((link.pk, response.status, response.getheader("Location")))
            except (OSError, HTTPException) as error:
                results.append((link.pk, type(error).__name__, None))
                conn.close()
                conn = HTTPConnection(self.host, timeout=30)
        conn.close()
        with self.lock:
            self.results.extend(results)


def wait_until_caught_up(load_ended_at):
    """Wait until every click is in the table (no click held on the web host any more) and a
    derivation pass that started after that moment has caught up. Return the seconds from the end
    of the load until then."""
    deadline = time.monotonic() + WAIT_LIMIT
    while held_click_paths():
        assert time.monotonic() < deadline, f"{len(held_click_paths())} clicks still held"
        time.sleep(0.1)
    every_click_stored_at = timezone.now()
    while (figures_as_of() or every_click_stored_at) <= every_click_stored_at:
        assert time.monotonic() < deadline, f"figures not caught up: {derivation_lag()}"
        time.sleep(0.1)
    return time.monotonic() - load_ended_at


def wait_until_described(load_ended_at):
    """Wait until the worker has described the device of every click and recounted the device rows
    of their links (the derivation's next pass takes the links the describe job marked); return
    the seconds from the end of the load until then (clicks are described once settled, a batch
    per tick)."""
    deadline = time.monotonic() + WAIT_LIMIT
    while Click.objects.filter(device_type=NOT_DESCRIBED).exists() or StaleClickFigure.objects.exists():
        assert time.monotonic() < deadline, f"{Click.objects.filter(device_type=NOT_DESCRIBED).count()} not described"
        time.sleep(0.2)
    return time.monotonic() - load_ended_at


def api_get(server, path, key):
    """The JSON of a 200 answer from the live server, authenticated with an API token."""
    conn = HTTPConnection(server.url.removeprefix("http://"), timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Token {key}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 200, body
    return json.loads(body)


def counters_of_links():
    return {
        link["id"]: link
        for link in Link.objects.values(
            "id",
            "human_clicks",
            "machine_clicks",
            "first_click_at",
            "last_click_at",
            "first_human_click_at",
            "last_human_click_at",
        )
    }


def counters_counted_from_clicks():
    """What each link's counters must be: one aggregation of its clicks."""
    human = Q(clicks__verdict=Verdict.HUMAN)
    return {
        link["id"]: link
        for link in Link.objects.values("id").annotate(
            human_clicks=Count("clicks", filter=human),
            machine_clicks=Count("clicks", filter=~human),
            first_click_at=Min("clicks__clicked_at"),
            last_click_at=Max("clicks__clicked_at"),
            first_human_click_at=Min("clicks__clicked_at", filter=human),
            last_human_click_at=Max("clicks__clicked_at", filter=human),
        )
    }


def human_clicks():
    return Click.objects.filter(verdict=Verdict.HUMAN).order_by()


def derivation_passes():
    """How many derivation passes have written so far (ClickDerivation.pass_number)."""
    return ClickDerivation.objects.values_list("pass_number", flat=True).first() or 0


def test_concurrent_clicks_while_the_worker_derives_are_all_stored_once_and_counted_exactly(api_token):
    """A few seconds of clicks from 24 threads (20 prospects on their own links, a scanner farm
    bursting on 4 links, previewers and scripts among them) on gunicorn's shipped settings with the
    worker running: every click is a 302 to its link's destination and stored once; within
    CATCH_UP_SECONDS of the last one, every counter and the API figures equal direct counts."""
    links = prospects()
    destinations = {link.pk: link.destination_url for link in links}
    server = Gunicorn(
        workers=2,
        shipped_settings=True,
        extra_env={"GUNICORN_THREADS": "6", "TRUSTED_PROXY_HEADER": "X-Forwarded-For"},
    )
    with WorkerProcess() as worker, server:
        warm_up(server.url, links[-1].token)
        passes_before = derivation_passes()
        started = time.monotonic()
        results = Load(server.url, click_plans(links), LOAD_SECONDS).run()
        load_ended_at = time.monotonic()
        passes_during_load = derivation_passes() - passes_before
        catch_up = wait_until_caught_up(load_ended_at)
        described = wait_until_described(load_ended_at)
        icp_stats = api_get(server, "/api/icp-stats", api_token)
        overview = api_get(server, "/api/stats/overview/", api_token)
        campaigns = api_get(server, "/api/campaigns/", api_token)
        devices = api_get(server, "/api/stats/devices/", api_token)
        worker_alive = worker.process.poll() is None
        worker_log, server_log = worker.log(), server.log()

    sent = len(results)
    duration = load_ended_at - started
    verdicts = Counter(Click.objects.values_list("verdict", flat=True))
    print(
        f"\n[{connection.vendor}] {sent} clicks in {duration:.1f}s ({sent / duration:.0f} clicks/s) with the "
        f"worker running; verdicts {dict(verdicts)}; figures caught up {catch_up:.1f}s and devices described "
        f"{described:.1f}s after the last click; {passes_during_load} derivation passes during the load, "
        f"{WrittenHeldClick.objects.count()} clicks held by the redirect and written by the worker"
    )
    statuses = Counter(status for _, status, _ in results)
    assert statuses == {302: sent}
    assert [(link_id, location) for link_id, _, location in results if location != destinations[link_id]] == []
    sent_per_link = Counter(link_id for link_id, _, _ in results)
    stored_per_link = dict(Link.objects.annotate(stored=Count("clicks")).values_list("id", "stored"))
    assert stored_per_link == {link.pk: sent_per_link[link.pk] for link in links}
    assert sum(stored_per_link.values()) == sent

    assert counters_of_links() == counters_counted_from_clicks()

    assert catch_up <= CATCH_UP_SECONDS
    assert parse_datetime(overview["data_as_of"]) > Click.objects.aggregate(last=Max("clicked_at"))["last"]
    assert worker_alive
    assert passes_during_load >= LOAD_SECONDS // 2
    assert "failed" not in worker_log
    assert "Traceback" not in worker_log + server_log

    icp_counts = (
        human_clicks()
        .values(name=Coalesce("link__icp", Value(NOT_DEFINED_ICP)))
        .annotate(clicks=Count("id"))
        .order_by("-clicks", "name")
    )
    assert icp_stats == [{"icp": row["name"], "click_count": row["clicks"]} for row in icp_counts]
    assert {key: overview[key] for key in ("links_sent", "links_clicked", "total_clicks", "bot_clicks_filtered")} == {
        "links_sent": LINKS,
        "links_clicked": human_clicks().values("link").distinct().count(),
        "total_clicks": verdicts[Verdict.HUMAN],
        "bot_clicks_filtered": sent - verdicts[Verdict.HUMAN],
    }
    campaign_clicks = dict(
        human_clicks()
        .values("link__campaign__name")
        .annotate(clicks=Count("id"))
        .values_list("link__campaign__name", "clicks")
    )
    assert {row["name"]: (row["links_sent"], row["clicks"]) for row in campaigns} == {
        "wesser-recrutement.fr": (200, campaign_clicks["wesser-recrutement.fr"]),
        "acme-outbound.com": (100, campaign_clicks["acme-outbound.com"]),
    }
    for figure, column in (("device_types", "device_type"), ("os", "os"), ("browsers", "browser")):
        counted = human_clicks().values_list(column).annotate(clicks=Count("id"))
        expected = [
            {"name": name, "clicks": clicks} for name, clicks in sorted(counted, key=lambda row: (-row[1], row[0]))
        ]
        assert devices[figure] == expected, figure

    # The load was what it claims: human clicks, previewers and scripts, and a burst of networks.
    assert verdicts[Verdict.HUMAN] > sent / 2
    assert Click.objects.filter(reason__startswith="burst:").exists()
    assert Click.objects.filter(reason__startswith="ua:").exists()
