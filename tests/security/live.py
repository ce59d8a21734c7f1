"""A real gunicorn serving the project, and a real `manage.py worker`, against the current test
database, for load and fault tests."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(settings.BASE_DIR)
SECRET_KEY = "live-server-secret-key-for-tests-only-" + "x" * 20

DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def current_database_url(port=None):
    """DATABASE_URL of the database this test runs on (optionally reached through another port)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{port or db['PORT'] or 5432}/{db['NAME']}"


class LiveProcess:
    """A process started by a test, its output in a temporary file (log()), stopped on exit as a
    supervisor stops it."""

    def log(self):
        return Path(self.output.name).read_text(errors="replace")

    def __exit__(self, *exc):
        stop(self.process)
        self.output.close()
        os.unlink(self.output.name)


class Gunicorn(LiveProcess):
    """`with Gunicorn(workers=4) as server:` serves on server.url; server.log() is its stderr."""

    def __init__(self, workers=4, database_url=None, extra_env=None, shipped_settings=False):
        """`shipped_settings`: run with deploy/gunicorn.conf.py (gthread workers) as production does,
        instead of the plain sync workers the load tests use."""
        self.shipped_settings = shipped_settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.database_url = database_url or current_database_url()
        self.extra_env = extra_env or {}
        self.output = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)

    def __enter__(self):
        env = live_environment(self.database_url, **self.extra_env)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "linktracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                *(
                    ["--config", "deploy/gunicorn.conf.py"]
                    if self.shipped_settings
                    else ["--worker-class", "sync", "--threads", "1", "--backlog", "2048", "--timeout", "60"]
                ),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.output,
        )
        self.wait_until_listening()
        return self

    def wait_until_listening(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen within {timeout}s:\n{self.log()}")

    def worker_pids(self):
        """Process ids of the master's live worker processes (read from /proc)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return pids


class WorkerProcess(LiveProcess):
    """`with WorkerProcess() as worker:` runs `manage.py worker` on the test database, sharing the
    web processes' held-click spool and host store; worker.log() is its output."""

    def __enter__(self):
        self.output = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=PROJECT_DIR,
            # Same priority as the web processes (the default, whatever the environment says): the
            # tests want its passes to run during the load.
            env=live_environment(WORKER_TICK_SECONDS="1", WORKER_NICENESS="0"),
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        self.wait_for("started")
        return self

    def wait_for(self, text, timeout=20):
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not log {text!r} within {timeout}s:\n{self.log()}")
            time.sleep(0.1)


def live_environment(database_url=None, **extra):
    """The environment of a live process on the test database: its spool, host store and settings."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url or current_database_url(),
        "VAR_DIR": str(settings.VAR_DIR),
        "HOST_STORE_PATH": str(settings.HOST_STORE_PATH),
        "HELD_CLICKS_DIR": str(settings.HELD_CLICKS_DIR),
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def stop(process):
    """SIGTERM, as a supervisor stops it; killed if it is still there 15 s later."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def warm_up(base_url, token, requests=8):
    """HEAD a link from several connections at once (a HEAD stores no click), so that the web
    workers have booted Django before the clock starts."""
    from concurrent.futures import ThreadPoolExecutor
    from http.client import HTTPConnection

    def head(_):
        conn = HTTPConnection(base_url.removeprefix("http://"), timeout=60)
        try:
            conn.request("HEAD", f"/t/{token}")
            return conn.getresponse().status
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=requests) as pool:
        assert set(pool.map(head, range(requests))) == {302}


def click(base_url, token, timeout=30):
    """GET /t/<token> on a fresh connection, like a prospect's browser; return the status or the error."""
    from http.client import HTTPConnection

    host_port = base_url.removeprefix("http://")
    conn = HTTPConnection(host_port, timeout=timeout)
    try:
        conn.request("GET", f"/t/{token}", headers={"User-Agent": DESKTOP_CHROME, "Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return type(error).__name__
    finally:
        conn.close()


def fire_clicks(base_url, tokens, total, threads):
    """Fire `total` clicks spread over `tokens` from `threads` threads.

    Returns a list of (token, status) pairs, status being the HTTP code or the connection error."""
    from concurrent.futures import ThreadPoolExecutor

    plan = [tokens[i % len(tokens)] for i in range(total)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(lambda token: click(base_url, token), plan))
    return list(zip(plan, statuses))


def write_held_clicks_now():
    """Do what the background worker does after an outage: write every click the web processes
    held (an overloaded machine can push a statement past TRACKING_DATABASE_TIMEOUT_MS, and such a
    click is held rather than failed). Return how many were handled; bounded to 50 batches."""
    from tracker.held_clicks import held_click_paths, write_held_clicks

    handled = 0
    for _ in range(50):
        handled += write_held_clicks()
        if not held_click_paths():
            return handled
    raise AssertionError(f"{len(held_click_paths())} held clicks could not be written")
