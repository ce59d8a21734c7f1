"""Clicks held on the web host while the database cannot take them, written once it can.

When the redirect cannot write its click (database down, hung, read-only, full, out of
connections), the prospect still gets the 302 and hold_click() keeps the click on the web host:
one small JSON file per click in HELD_CLICKS_DIR, written to a temporary name, fsync'd, then
renamed (a crash leaves either nothing or the whole click). It carries the click's original time
and the verdict given with what was known (no recent clicks when the link came from the
destination cache: the burst rule does not apply to held clicks).

write_held_clicks(), a job of the background worker (`manage.py worker` on every web host, as
the spool is local), writes them back: each in one transaction with its key in WrittenHeldClick,
whose primary key makes a second write of the same click fail, so a crash between the commit and
the removal of the file never writes a click twice. A click whose own INSERT failed may have reached
the database all the same (connection cut after the statement, before its answer): it is held
marked may_be_stored and written only if no click of its link has its time to the microsecond, user
agent and referer. Every other held click (the redirect never tried to write it: the destination
came from the cache) is written as is: two prospects' clicks on one link can share all of those
(a mail gateway scanning a link from two processes at once), and such a match must not cost one
of them. A click whose link was deleted meanwhile is dropped with its file.
"""

import datetime
import json
import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tracker.classification import ClickFacts, classify
from tracker.client_ip import stored_ip
from tracker.database_guard import note_database_failure
from tracker.models import WrittenHeldClick
from tracker.recording import CLICK_COLUMNS, ORIGIN_COLUMNS, REASON_MAX_LENGTH, click_origin, database_ip, database_time

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A held click's key guards against writing it twice only while its spool file may still exist
# (minutes: the file goes right after the commit); a week is generous.
KEYS_KEPT = datetime.timedelta(days=7)
STALE_TEMPORARY_SECONDS = 60
# The link may have been deleted meanwhile: nothing is inserted then.
INSERT_HELD_CLICK_SQL = (
    f"INSERT INTO tracker_click ({', '.join(CLICK_COLUMNS)})"
    f" SELECT link.id, {', '.join(['%s'] * (len(CLICK_COLUMNS) - 1))} FROM links_link link WHERE link.id = %s"
)
# A click that may be stored already (its INSERT reached the database, the answer was cut) is
# recognised by its link, time to the microsecond, user agent and referer (index click_link_time_verdict).
INSERT_HELD_CLICK_UNLESS_STORED_SQL = INSERT_HELD_CLICK_SQL + (
    " AND NOT EXISTS (SELECT 1 FROM tracker_click click WHERE click.link_id = %s"
    " AND click.clicked_at = %s AND click.user_agent = %s AND click.referer = %s)"
)


def hold_click(link_id: int, facts: ClickFacts, write_error: Exception | None = None) -> str | None:
    """Classify the click and keep it in the host's spool; return its key, or None if even the
    spool refused it (the click is then logged in full, and lost). `write_error` is how the
    redirect's own INSERT of this click failed, if it tried one: noted, so the next redirects
    leave the database alone for a moment, and the click held as one that may be stored already."""
    if write_error is not None:
        note_database_failure(write_error)
        logger.warning("Click on link %s held on this host: %s", link_id, write_error)
    verdict, reason = classify(facts)
    key = f"{facts.clicked_at.astimezone(datetime.UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex}"
    held = {
        "key": key,
        "link_id": link_id,
        "clicked_at": facts.clicked_at.isoformat(),
        "ip": stored_ip(facts.ip),
        # Looked up now, as the redirect would have: only the anonymised address is kept.
        **dict(zip(ORIGIN_COLUMNS, click_origin(facts), strict=True)),
        "user_agent": facts.user_agent,
        "referer": facts.referer,
        "verdict": verdict,
        "reason": reason[:REASON_MAX_LENGTH],
        "may_be_stored": write_error is not None,
    }
    try:
        spool(key, json.dumps(held).encode())
    except OSError:
        logger.exception("Click lost: neither the database nor the spool took it: %s", held)
        return None
    return key


def spool(key: str, data: bytes) -> None:
    """Write one held click durably: temporary file, fsync, rename, fsync of the directory."""
    directory = Path(settings.HELD_CLICKS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{key}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.rename(temporary, directory / f"{key}.json")
    directory_descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_descriptor)
    finally:
        os.close(directory_descriptor)


def held_click_paths() -> list[Path]:
    """The spool's held clicks, oldest first."""
    directory = Path(settings.HELD_CLICKS_DIR)
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def write_held_clicks(limit: int = BATCH_SIZE) -> int:
    """Write up to `limit` held clicks of this host to the database, oldest first; return how many
    were handled (written, already written, or dropped with their deleted link). A database error
    stops the batch: the clicks stay held for the next run."""
    handled = 0
    for path in held_click_paths()[:limit]:
        try:
            held = json.loads(path.read_bytes())
        except FileNotFoundError:  # another worker of this host handled it
            continue
        except ValueError:
            logger.error("Unreadable held click %s set aside as .bad", path.name)
            path.rename(path.with_suffix(".bad"))
            continue
        write_held_click(held)
        path.unlink(missing_ok=True)
        handled += 1
    if handled:
        WrittenHeldClick.objects.filter(written_at__lt=timezone.now() - KEYS_KEPT).delete()
    remove_stale_temporary_files()
    return handled


def write_held_click(held: dict) -> bool:
    """Write one held click with its key, in one transaction; False if it was written before
    (the key exists, or its own INSERT got through after all) or its link is gone. Raises
    DatabaseError while the database is down."""
    clicked_at = database_time(datetime.datetime.fromisoformat(held["clicked_at"]))
    params = [
        clicked_at,
        database_ip(held["ip"]),
        held["user_agent"],
        held["referer"],
        held["verdict"],
        held["reason"],
        # Clicks held before a column existed: blank, as stored clicks were then.
        *(held.get(column, "") for column in ORIGIN_COLUMNS),
        held["link_id"],
    ]
    # Files held before the mark existed: checked, as every held click then was.
    if held.get("may_be_stored", True):
        sql = INSERT_HELD_CLICK_UNLESS_STORED_SQL
        params += [held["link_id"], clicked_at, held["user_agent"], held["referer"]]
    else:
        sql = INSERT_HELD_CLICK_SQL
    try:
        with transaction.atomic():
            WrittenHeldClick.objects.create(key=held["key"])
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                inserted = cursor.rowcount == 1
    except IntegrityError:
        if WrittenHeldClick.objects.filter(key=held["key"]).exists():
            return False  # written before: by this job before a crash, or by another worker
        raise
    if not inserted:
        logger.info("Held click %s dropped: already stored, or its link %s deleted", held["key"], held["link_id"])
    return inserted


def remove_stale_temporary_files() -> None:
    """Remove the half-written temporary files of a process that died while holding a click."""
    directory = Path(settings.HELD_CLICKS_DIR)
    if not directory.is_dir():
        return
    for temporary in directory.glob(".*.tmp"):
        try:
            if temporary.stat().st_mtime < time.time() - STALE_TEMPORARY_SECONDS:
                temporary.unlink()
        except OSError:
            continue
