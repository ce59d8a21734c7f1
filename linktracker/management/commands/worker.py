"""manage.py worker: the background process that runs WORKER_JOBS and the queued tasks."""

import logging
import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from linktracker.worker import logger, worker_from_settings


class Command(BaseCommand):
    help = _(
        "Run the background worker: every WORKER_TICK_SECONDS, each job of WORKER_JOBS (deriving the "
        "click figures...), then the queued tasks. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("Run one tick, then exit (tests, cron)."))

    def handle(self, *args, once, verbosity, **options):
        if not logger.handlers:
            handler = logging.StreamHandler(self.stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
            logger.propagate = False
        logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG)
        if settings.WORKER_NICENESS and not once:
            # For a host whose processor the worker shares with other work than the redirect's
            # database (settings.WORKER_NICENESS says why it is 0 by default).
            os.nice(settings.WORKER_NICENESS)
        worker = worker_from_settings()
        if not once:
            signal.signal(signal.SIGTERM, worker.stop)
            signal.signal(signal.SIGINT, worker.stop)
        worker.run(once=once)
