"""manage.py worker: the background process that derives the click figures, runs the other jobs of
WORKER_JOBS and the queued tasks, survives failing jobs and stops cleanly."""

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from links.models import Link
from linktracker import worker as worker_module
from linktracker.worker import Worker
from tests.factories import make_link
from tests.tracker.user_agents import CHROME

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
calls = []


def counting_job():
    """A batch of two items the first time, then nothing left."""
    calls.append("counting")
    return 2 if calls.count("counting") == 1 else 0


backlog = []


def backlog_job():
    """Two items of the backlog a call, as a job takes one bounded batch."""
    batch = backlog[:2]
    del backlog[:2]
    return len(batch)


round_starts = []


def timed_backlog_job():
    """backlog_job(), noting when each round called it."""
    round_starts.append(time.monotonic())
    return backlog_job()


def failing_job():
    calls.append("failing")
    raise ValueError("a bug in one job")


def database_down_job():
    calls.append("database down")
    raise OperationalError("connection refused")


@task()
def remember(word):
    calls.append(word)
    return word.upper()


@pytest.fixture(autouse=True)
def _no_calls_yet():
    calls.clear()


def test_one_tick_derives_the_clicks_stored_by_the_redirect_and_says_so(client):
    """worker --once: the redirect's click is in the link's counters and the log names the job."""
    link = make_link()
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    out = io.StringIO()

    call_command("worker", "--once", stdout=out)

    assert Link.objects.values_list("human_clicks", flat=True).get(pk=link.pk) == 1
    log = out.getvalue()
    assert f"started: jobs {', '.join(settings.WORKER_JOBS)}, tick 1s" in log
    assert "tracker.derivation.derive_click_figures: 1 handled." in log


def test_a_failing_job_is_logged_and_the_next_job_still_runs(caplog):
    """A bug in one job costs that job's batch, not the worker."""
    worker = Worker([f"{__name__}.failing_job", f"{__name__}.counting_job"], tick_seconds=1)

    handled = worker.tick()

    # again while a job found work; the failed one waits for the next tick
    assert calls == ["failing", "counting", "counting"]
    assert handled == {f"{__name__}.counting_job": 2, "queued tasks": 0}
    assert f"{__name__}.failing_job failed; the other jobs go on." in caplog.text
    assert worker.database_failures == 0


def test_a_database_outage_makes_the_worker_wait_longer_and_retry(caplog):
    """A job that cannot reach the database is retried on later ticks, 2 s, 4 s ... apart (30 s at most)."""
    worker = Worker([f"{__name__}.database_down_job", f"{__name__}.counting_job"], tick_seconds=1)

    worker.tick()
    worker.tick()

    assert calls == ["database down", "counting", "database down", "counting"]
    assert worker.database_failures == 2
    assert "the database failed (connection refused); retrying on a later tick." in caplog.text


def test_queued_tasks_run_on_the_next_tick():
    """A task enqueued through Django's Tasks API runs in the worker, its result stored."""
    result = remember.enqueue("hello")
    worker = Worker([], tick_seconds=1)

    assert worker.tick() == {"queued tasks": 1}

    assert calls == ["hello"]
    stored = DBTaskResult.objects.get(id=result.id)
    assert (stored.status, stored.return_value) == ("SUCCESSFUL", "HELLO")


def test_stop_ends_the_loop_after_the_current_tick():
    """stop() (what SIGTERM and SIGINT call) ends run() without waiting for the next tick."""
    worker = Worker([f"{__name__}.counting_job"], tick_seconds=30)
    worker.task_runner = None  # no database from this thread: the test's transaction holds it
    runner = threading.Thread(target=worker.run)
    runner.start()
    while not calls:
        time.sleep(0.01)

    worker.stop()
    runner.join(timeout=5)

    assert not runner.is_alive()
    # the round under way when stop() came finished; no round after it, no second tick
    assert calls in (["counting"], ["counting", "counting"])


def test_a_tick_goes_round_again_while_a_job_finds_work():
    """A backlog larger than a job's batch is worked through in one tick, not one batch a tick."""
    backlog[:] = range(5)
    worker = Worker([f"{__name__}.backlog_job"], tick_seconds=30)
    worker.task_runner = None

    assert worker.tick() == {f"{__name__}.backlog_job": 5, "queued tasks": 0}
    assert backlog == []


def idle_job():
    """A housekeeping job with nothing to do, noting each call."""
    calls.append("idle")
    return 0


def test_later_rounds_of_a_tick_run_only_the_jobs_that_found_work():
    """An idle job still costs its queries: it runs on a tick's first round, not on the rounds a
    backlog of another job keeps going."""
    backlog[:] = range(5)
    worker = Worker([f"{__name__}.idle_job", f"{__name__}.backlog_job"], tick_seconds=30)
    worker.task_runner = None

    assert worker.tick() == {f"{__name__}.idle_job": 0, f"{__name__}.backlog_job": 5, "queued tasks": 0}
    assert calls == ["idle"]
    assert backlog == []

    backlog[:] = range(3)
    worker.tick()
    assert calls == ["idle", "idle"]  # every tick starts with every job


def test_while_the_jobs_find_work_a_round_starts_at_most_every_round_seconds():
    """Under a steady stream of clicks, going round again at once makes every pass take the few
    clicks that came during the last one, each paying the pass's fixed costs: rounds that found
    work are spaced round_seconds apart; the round that finds nothing ends the tick at once."""
    backlog[:] = range(5)
    round_starts.clear()
    worker = Worker([f"{__name__}.timed_backlog_job"], tick_seconds=30, round_seconds=0.1)
    worker.task_runner = None

    waits = []
    wait = worker.stopping.wait
    worker.stopping.wait = lambda timeout: waits.append(timeout) or wait(timeout)

    assert worker.tick() == {f"{__name__}.timed_backlog_job": 5, "queued tasks": 0}

    assert len(round_starts) == 4  # 2, 2 and 1 items, then none
    assert all(later - earlier >= 0.1 for earlier, later in zip(round_starts, round_starts[1:]))
    assert len(waits) == 3  # after each round that found work, none after the one that found none


def test_stop_cuts_the_wait_between_rounds_short():
    """A stop that comes while the worker waits for its next round ends the tick without it."""
    backlog[:] = range(5)
    round_starts.clear()
    worker = Worker([f"{__name__}.timed_backlog_job"], tick_seconds=30, round_seconds=30)
    worker.task_runner = None
    threading.Timer(0.2, worker.stop).start()

    assert worker.tick() == {f"{__name__}.timed_backlog_job": 2, "queued tasks": 0}
    assert len(round_starts) == 1


def test_the_worker_paces_its_rounds_by_the_setting(settings):
    settings.WORKER_ROUND_SECONDS = 0.5

    assert worker_module.worker_from_settings().round_seconds == 0.5


@pytest.mark.django_db(transaction=True)  # outside a transaction, as the worker runs
def test_the_log_is_checkpointed_after_each_round_that_found_work(monkeypatch):
    """Under a burst, checkpointing once a tick lets the SQLite log grow past the point where a
    redirect's commit checkpoints it (hundreds of milliseconds): the worker does it after every
    round that found work, and not after one that found none."""
    monkeypatch.setattr(worker_module, "_checkpoint_sqlite_log", lambda: calls.append("checkpoint"))
    backlog[:] = range(5)
    worker = Worker([f"{__name__}.backlog_job"], tick_seconds=30)
    worker.task_runner = None

    worker.tick()  # rounds of 2, 2, 1 items, then one that finds nothing
    assert calls == ["checkpoint"] * 3
    worker.tick()
    assert calls == ["checkpoint"] * 3


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_process_exits_cleanly_on_sigterm_and_sigint(tmp_path, stop_signal):
    """The process scripts/run and systemd stop: exit status 0 and a last log line."""
    env = {**os.environ, "VAR_DIR": str(tmp_path), "WORKER_TICK_SECONDS": "1"}
    env.pop("DATABASE_URL", None)  # a throwaway SQLite file: this is about the process, not the data
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    worker = subprocess.Popen([*manage, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        first_line = worker.stdout.readline()
        assert "started" in first_line or time.monotonic() > deadline
        worker.send_signal(stop_signal)
        output, _ = worker.communicate(timeout=30)
    finally:
        worker.kill()
    assert worker.returncode == 0
    assert f"Received {signal.Signals(stop_signal).name}: stopping after the current job." in output
    assert output.rstrip().endswith("stopped.")


@pytest.mark.parametrize(("configured", "added"), [(None, 0), ("3", 3), ("10", 10)])
def test_the_worker_process_runs_at_the_configured_niceness(tmp_path, configured, added):
    """WORKER_NICENESS (0 by default: a niced worker holding SQLite's write lock makes the redirects
    wait longer) is added to the worker's niceness when it starts."""
    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("WORKER_NICENESS", None)
    if configured is not None:
        env["WORKER_NICENESS"] = configured
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    worker = subprocess.Popen([*manage, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "started" in worker.stdout.readline()
        niceness = os.getpriority(os.PRIO_PROCESS, worker.pid)
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    assert niceness == os.getpriority(os.PRIO_PROCESS, 0) + added
