"""A real HTTP receiver on 127.0.0.1, the queued tasks run in the test, and rows for events."""

import datetime
import http.server
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from events.models import Delivery, DeliveryStatus, WebhookEndpoint


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers from `answers` (status, headers, delay) in order, then 200."""

    base_url: str = ""
    requests: list = field(default_factory=list)
    answers: deque = field(default_factory=deque)

    def url(self, path="/hook"):
        return self.base_url + path

    def answer(self, status, headers=None, delay=0.0, times=1):
        for _ in range(times):
            self.answers.append((status, headers or {}, delay))


@pytest.fixture
def receiver():
    """An http.server in a thread on 127.0.0.1: what a webhook receiver really gets."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, headers, delay = state.answers.popleft() if state.answers else (200, {}, 0.0)
            if delay:
                time.sleep(delay)
            payload = b"ok" if status < 300 else b"receiver says no"
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def make_endpoint(url, kind="json", first_click=True, every_click=False, campaigns=(), **extra):
    endpoint = WebhookEndpoint.objects.create(
        url=url, kind=kind, sends_first_click=first_click, sends_every_click=every_click, **extra
    )
    endpoint.campaigns.set(campaigns)
    return endpoint


def settled_time(seconds_ago=10):
    """A click time old enough for its verdict to have settled."""
    return timezone.now() - datetime.timedelta(seconds=seconds_ago)


def run_queued_tasks():
    """Run the due tasks as the worker does, until none is due; return their return values."""
    values = []
    while (task_row := DBTaskResult.objects.ready().order_by("run_after", "enqueued_at").first()) is not None:
        task_row.claim("test")
        result = task_row.task_result
        try:
            value = task_row.task.call(*result.args, **result.kwargs)
        except Exception as exc:
            task_row.set_failed(exc)
            raise
        task_row.set_successful(value)
        values.append(value)
    return values


def let_time_pass():
    """Make every scheduled retry and paced send due now (as if its wait were over)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=past)
    WebhookEndpoint.objects.update(last_attempt_at=None)
