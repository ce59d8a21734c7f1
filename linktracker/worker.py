"""The background worker (`manage.py worker`): the one long-running process beside the web one.

Every tick (WORKER_TICK_SECONDS) it calls each job named in WORKER_JOBS, in order, then runs the
tasks queued through Django's Tasks API (django-tasks with the django-tasks-db database backend),
and goes round again while a job still finds work, for up to a tick: a burst of clicks is worked
through at the pace it arrives, not one batch a tick. Those later rounds run only the jobs that
found work in the round before (and the task queue): a job that finds nothing still costs its
queries, 1 to 10 ms of processor each on a small machine, and under a steady stream of clicks the
housekeeping jobs would otherwise pay them four times a second. While there is work, a round starts at most
every WORKER_ROUND_MS, so that under a steady stream each pass takes that much of it at once: a
pass has fixed costs (its reads, its commit, on SQLite the checkpoint and index pages dirtied
again), and passes of the few clicks that came during the last one cost more processor per click
than the redirect itself. On SQLite, after each round that found work, it checkpoints the
write-ahead log, so that no redirect has to (a click and its figures add about
ten pages to the log: at a thousand clicks a second, once a tick would be too rare).
A job takes no argument, does one bounded batch of work, returns how many items it handled, is
idempotent, and is safe with several workers at once (row locks with SKIP LOCKED, or advisory
locks). A job that fails is logged and the next one runs; when the database is unreachable the
worker waits, longer each time, and retries.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

logger = logging.getLogger("linktracker.worker")

TASKS_PER_TICK = 100
LONGEST_OUTAGE_WAIT = 30.0


class Worker:
    """Runs the jobs and the queued tasks, tick after tick, until stop()."""

    def __init__(
        self, jobs: list[str], tick_seconds: float, tasks_per_tick: int = TASKS_PER_TICK, round_seconds: float = 0.0
    ):
        self.jobs: list[tuple[str, Callable[[], int]]] = [(path, import_string(path)) for path in jobs]
        self.tick_seconds = tick_seconds
        self.round_seconds = round_seconds
        self.tasks_per_tick = tasks_per_tick
        self.worker_id = get_random_string(32)
        self.stopping = threading.Event()
        self.database_failures = 0
        self.task_runner = _database_task_runner(self.worker_id)

    def run(self, once: bool = False) -> None:
        """Tick until stop() (or once). Each tick starts WORKER_TICK_SECONDS after the previous one
        started, sooner never; after a database failure the wait doubles up to 30 s."""
        logger.info(
            "Worker %s started: jobs %s, tick %ss, %s.",
            self.worker_id[:8],
            ", ".join(path for path, _ in self.jobs) or "none",
            self.tick_seconds,
            "queued tasks from the database" if self.task_runner else "no database task queue",
        )
        while not self.stopping.is_set():
            started = time.monotonic()
            self.tick()
            if once:
                break
            wait = self.tick_seconds
            if self.database_failures:
                wait = min(LONGEST_OUTAGE_WAIT, self.tick_seconds * 2**self.database_failures)
            self.stopping.wait(max(0.0, wait - (time.monotonic() - started)))
        logger.info("Worker %s stopped.", self.worker_id[:8])

    def stop(self, signum=None, frame=None) -> None:
        """Finish the current job, then exit (SIGTERM, SIGINT)."""
        if signum is not None:
            logger.info("Received %s: stopping after the current job.", signal.Signals(signum).name)
        self.stopping.set()

    def tick(self) -> dict[str, int]:
        """Run every job, then up to tasks_per_tick queued tasks, and again those that handled
        something (the queued tasks every time) while any did, each round round_seconds after the
        previous one started (sooner never), for up to tick_seconds; return what each handled in
        all."""
        if not _in_a_transaction():  # a test's transaction is left alone
            close_old_connections()  # as after a request: CONN_MAX_AGE, and connections that failed
        started = time.monotonic()
        handled: dict[str, int] = {}
        jobs = self.jobs
        while True:
            round_started = time.monotonic()
            this_round = self.run_jobs_once(jobs)
            for path, count in this_round.items():
                handled[path] = handled.get(path, 0) + count
            busy = any(this_round.values()) and not self.database_failures
            if busy and not _in_a_transaction():
                _checkpoint_sqlite_log()
            if not busy or self.stopping.is_set() or time.monotonic() - started >= self.tick_seconds:
                break
            jobs = [(path, job) for path, job in jobs if this_round.get(path)]
            self.stopping.wait(max(0.0, self.round_seconds - (time.monotonic() - round_started)))
        for path, count in handled.items():
            if count:
                logger.info("%s: %s handled.", path, count)
        return handled

    def run_jobs_once(self, jobs: list) -> dict[str, int]:
        """Run each of `jobs` ((path, job) pairs of self.jobs) once, then up to tasks_per_tick
        queued tasks; return what each handled."""
        handled = {}
        database_failed = False
        for path, job in [*jobs, ("queued tasks", self.run_queued_tasks)]:
            if self.stopping.is_set():
                break
            try:
                handled[path] = job()
            except DatabaseError as error:
                database_failed = True
                logger.warning("%s: the database failed (%s); retrying on a later tick.", path, error)
                _drop_broken_connections()
                continue
            except Exception:
                logger.exception("%s failed; the other jobs go on.", path)
                continue
        self.database_failures = self.database_failures + 1 if database_failed else 0
        return handled

    def run_queued_tasks(self) -> int:
        """Run up to tasks_per_tick tasks that are due, each claimed with SKIP LOCKED so that two
        workers never run the same one (django-tasks-db's own claiming)."""
        if self.task_runner is None:
            return 0
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction

        ran = 0
        while ran < self.tasks_per_tick and not self.stopping.is_set():
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.task_runner.backend_name)
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            if task_result is None:
                break
            self.task_runner.run_task(task_result)
            ran += 1
        return ran


def _database_task_runner(worker_id):
    """django-tasks-db's worker for running one claimed task (its signals, result and error
    recording), when the default task backend is the database one; None for another backend,
    which brings its own worker (e.g. a Redis queue's)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.management.commands.db_worker import Worker as DatabaseTaskWorker

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return None
    return DatabaseTaskWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _checkpoint_sqlite_log():
    """Copy the write-ahead log back into the SQLite database without waiting for anyone
    (PASSIVE: readers and the redirect's writes go on meanwhile)."""
    if connections["default"].vendor != "sqlite":
        return
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except DatabaseError as error:
        logger.warning("Checkpointing the SQLite log failed (%s); retrying on a later tick.", error)


def _in_a_transaction():
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def _drop_broken_connections():
    """Close every connection so that the next tick opens fresh ones (a restarted database, an
    SQLite file that was read-only); not one inside a transaction (a test's)."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        try:
            connection.close()
        except DatabaseError:
            pass


def worker_from_settings() -> Worker:
    return Worker(
        jobs=settings.WORKER_JOBS,
        tick_seconds=settings.WORKER_TICK_SECONDS,
        round_seconds=settings.WORKER_ROUND_SECONDS,
    )
