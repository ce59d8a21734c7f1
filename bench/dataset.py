"""The benchmark's dataset: campaigns, links and clicks bulk-loaded into a dedicated database.

The build is deterministic (seeded) and cached: the parameters are stored in the bench database
itself (table `bench_dataset`), and a later run with the same parameters reuses the rows. Times are
anchored to the moment of the build; a stale dataset is shifted forward so that `range=7d` still
means "the last 7 of 90 days".
"""

import base64
import json
import random
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Max
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from tqdm import tqdm

from events.models import Event, EventWatermark
from links.models import Campaign, Link
from tracker.derivation import derive_click_figures, mark_figures_stale, recount_click_figures
from tracker.models import Click, LinkCountryCount, LinkDeviceCount

ICPS = [
    "CEO",
    "CTO",
    "CFO",
    "COO",
    "Founder",
    "Sales Director",
    "Head of Growth",
    "Marketing Director",
    "HR Director",
    "VP Engineering",
    "Procurement Manager",
    "Operations Manager",
]
MACHINE_VERDICTS = [
    ("scanner", 0.5, "known scanner network"),
    ("preview", 0.2, "link preview agent"),
    ("prefetch", 0.1, "prefetch header"),
    ("bot", 0.2, "crawler user agent"),
]
CHROME_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
COUNTRIES = ["FR", "DE", "BE", "CH", "GB", "US", "ES", "IT", "NL", "CA", ""]
COUNTRY_WEIGHTS = [50, 10, 8, 6, 6, 6, 4, 4, 3, 2, 1]
MACHINE_USER_AGENTS = {
    "scanner": "Mozilla/5.0 (compatible; Barracuda Sentinel)",
    "preview": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "prefetch": CHROME_USER_AGENT,
    "bot": "python-requests/2.32.3",
}
DATASET_FORMAT = 2  # bump when the generated rows change shape
STALE_AFTER = timedelta(hours=6)
CHUNK = 20_000


@dataclass(frozen=True)
class Parameters:
    links: int = 100_000
    clicks: int = 1_000_000
    campaigns: int = 20
    icps: int = len(ICPS)
    null_icp_share: float = 0.10
    bot_share: float = 0.05
    days: int = 90
    clicked_links_share: float = 0.40
    seed: int = 20261124

    def fingerprint(self):
        return json.dumps({**asdict(self), "format": DATASET_FORMAT}, sort_keys=True)


def ensure(parameters, rebuild=False, log=print):
    """Migrate the bench database and make sure it holds the dataset described by `parameters`.

    Returns a short description of what was done ("cached", "built in 41.2 s", ...)."""
    call_command("migrate", interactive=False, verbosity=0)
    _create_meta_table()
    stored = _read_meta()
    if stored and stored["fingerprint"] == parameters.fingerprint() and not rebuild:
        shifted = _shift_if_stale(stored)
        remove_bench_leftovers(stored)
        return "cached, shifted forward by %s" % shifted if shifted else "cached"
    started = timezone.now()
    _empty_tables()
    anchored_at = timezone.now().replace(microsecond=0)
    _build(parameters, anchored_at, log)
    _analyze()
    _write_meta(parameters.fingerprint(), anchored_at)
    _ensure_operator()
    return "built in %.1f s" % (timezone.now() - started).total_seconds()


def remove_bench_leftovers(stored=None):
    """Delete the clicks and links the redirect and ingest benchmarks added, so runs don't drift."""
    stored = stored or _read_meta()
    with transaction.atomic():
        leftovers = Click.objects.filter(id__gt=stored["max_click_id"])
        Event.objects.filter(click__in=leftovers).delete()  # the run's hot leads, and their deliveries
        mark_figures_stale(leftovers)  # the worker derived them during the redirect rounds
        leftovers._raw_delete(connection.alias)
        Campaign.objects.filter(name__startswith="bench-ingest-").delete()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_baseline_click")
    while derive_click_figures():
        pass
    start_hot_leads_after_history()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The worker rewrote the counters of every link the run clicked, twice (its clicks, then
            # their removal): tens of thousands of dead link rows and a visibility map the planner
            # still believes complete. Autovacuum clears them within a minute or so; the next stage
            # measures the dataset as built, not whatever autovacuum had reached by then.
            cursor.execute("VACUUM ANALYZE links_link, tracker_click")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def operator_token():
    """A fresh admin-scoped key for the bench user (keys are stored hashed: they cannot be read back)."""
    from access.models import ApiToken, Scope

    _ensure_operator()
    return ApiToken.objects.create_token(bench_user(), Scope.ADMIN, "bench")[1]


def bench_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="bench")


def campaign_for_filter():
    """The campaign the filtered measurements use: the first one, about 1/20 of the links."""
    return Campaign.objects.order_by("name").values_list("name", flat=True).first()


def sample_tokens(path, limit=None):
    """Write every (or `limit`) link token, one per line, for wrk's Lua script; returns the count."""
    tokens = Link.objects.order_by("?" if limit else "id").values_list("token", flat=True)
    if limit:
        tokens = tokens[:limit]
    tokens = list(tokens)
    path.write_text("\n".join(tokens) + "\n")
    return len(tokens)


# Building ---------------------------------------------------------------------------------------


def _build(parameters, anchored_at, log):
    rng = random.Random(parameters.seed)
    span = timedelta(days=parameters.days)
    campaign_ids = _insert_campaigns(parameters, anchored_at - span)
    links = _link_rows(parameters, rng, campaign_ids, anchored_at, span)
    _bulk_insert(Link, links, "links")
    link_ids = dict(Link.objects.values_list("token", "id"))
    created = [(link_ids[row["token"]], row["created_at"]) for row in links]
    del links
    clicks = _click_rows(parameters, rng, created, anchored_at)
    # The fast bulk path, not the click writer: the derived figures are then rebuilt in one go
    # (counters, rollup, the worker's watermark at the last click).
    _bulk_insert(Click, clicks, "clicks")
    recount_click_figures()
    start_hot_leads_after_history()


def start_hot_leads_after_history():
    """Put the hot-lead watermark at the dataset's last click, as the events migration does on a
    database with clicks: loaded history is not news, and the worker's hot-lead job then examines
    only the clicks a run adds (otherwise it would spend every round walking a million old ones)."""
    last_click_id = Click.objects.aggregate(last=Max("id"))["last"] or 0
    EventWatermark.objects.update_or_create(pk=1, defaults={"last_click_id": last_click_id})


def _insert_campaigns(parameters, created_at):
    Campaign.objects.bulk_create(
        Campaign(name=f"campaign-{number:02d}.example.com") for number in range(1, parameters.campaigns + 1)
    )
    Campaign.objects.update(created_at=created_at)
    return list(Campaign.objects.order_by("id").values_list("id", flat=True))


def _link_rows(parameters, rng, campaign_ids, anchored_at, span):
    icps = ICPS[: parameters.icps]
    rows = []
    for number in range(parameters.links):
        created_at = anchored_at - span * rng.random()
        campaign_id = rng.choice(campaign_ids)
        icp = None if rng.random() < parameters.null_icp_share else rng.choice(icps)
        rows.append(
            {
                "token": base64.urlsafe_b64encode(rng.getrandbits(64).to_bytes(8, "big")).rstrip(b"=").decode(),
                "first_name": f"First{number}",
                "last_name": f"Last{number}",
                "email": f"prospect{number}@company{number % 9_973}.example",
                "account": f"company{number % 9_973}.example",
                "icp": icp,
                "campaign_id": campaign_id,
                "destination_url": f"https://www.example.com/offer/{campaign_id}?ref={number}",
                "channel": "email" if number % 3 else "linkedin",
                "sent_at": created_at,
                "created_at": created_at,
            }
        )
    return rows


def _click_rows(parameters, rng, created, anchored_at):
    """Clicks on a skewed 40 % of the links: a few prospects click a lot, most once or twice."""
    clicked = rng.sample(created, int(len(created) * parameters.clicked_links_share))
    rows = []
    for _ in range(parameters.clicks):
        link_id, created_at = clicked[int(len(clicked) * rng.random() ** 2)]
        clicked_at = created_at + timedelta(days=rng.expovariate(1 / 3))
        if clicked_at > anchored_at:
            clicked_at = created_at + (anchored_at - created_at) * rng.random()
        verdict, reason = "human", ""
        if rng.random() < parameters.bot_share:
            verdict, _, reason = rng.choices(MACHINE_VERDICTS, weights=[w for _, w, _ in MACHINE_VERDICTS])[0]
        rows.append(
            {
                "link_id": link_id,
                "clicked_at": clicked_at,
                "ip": f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.0",
                "user_agent": CHROME_USER_AGENT if verdict == "human" else MACHINE_USER_AGENTS[verdict],
                "referer": "",
                "verdict": verdict,
                "reason": reason,
                "country": rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0],
                # As the worker leaves them (tracker.devices): every click described.
                **_device_columns(CHROME_USER_AGENT if verdict == "human" else MACHINE_USER_AGENTS[verdict]),
            }
        )
    rows.sort(key=lambda row: row["clicked_at"])  # ids grow with time, as in production
    return rows


def _device_columns(user_agent):
    from tracker.devices import describe_user_agent

    device = describe_user_agent(user_agent)
    return {"device_type": device.device_type, "os": device.os, "browser": device.browser}


def _bulk_insert(model, rows, label):
    """Insert dicts into `model`'s table: executemany in one transaction on SQLite, COPY on
    PostgreSQL. Columns the generator does not know get the field's default, or the database's."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and (f.attname in rows[0] or f.db_default is NOT_PROVIDED)
    ]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    columns = [f.column for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    prepare = [_preparer(f) for f in fields]
    progress = tqdm(total=len(rows), desc=f"{label:>7}", unit=" rows", unit_scale=True, leave=True)
    connection.ensure_connection()
    raw = connection.connection  # the driver's own connection: Django's cursor wrapper costs ~2x here
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for start in range(0, len(rows), CHUNK):
                for row in rows[start : start + CHUNK]:
                    copy.write_row([p({**defaults, **row}[f.attname]) for p, f in zip(prepare, fields)])
                progress.update(min(CHUNK, len(rows) - start))
    else:
        placeholders = ", ".join("?" for _ in columns)
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})",
                (
                    [p({**defaults, **row}[f.attname]) for p, f in zip(prepare, fields)]
                    for row in rows[start : start + CHUNK]
                ),
            )
            progress.update(min(CHUNK, len(rows) - start))
        cursor.execute("COMMIT")
    progress.close()


def _preparer(field):
    if field.get_internal_type() == "DateTimeField" and connection.vendor == "sqlite":
        return lambda value: None if value is None else connection.ops.adapt_datetimefield_value(value)
    return lambda value: value


def _analyze():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum would do shortly after a bulk load; index-only scans need the
            # visibility map it sets.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _ensure_operator():
    from django.contrib.auth import get_user_model

    get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})


def _empty_tables():
    with transaction.atomic():
        Click.objects.all()._raw_delete(connection.alias)
        LinkCountryCount.objects.all()._raw_delete(connection.alias)
        LinkDeviceCount.objects.all()._raw_delete(connection.alias)
        Link.objects.all()._raw_delete(connection.alias)
        Campaign.objects.all()._raw_delete(connection.alias)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_dataset")


def _shift_if_stale(stored):
    """Move every timestamp forward so the dataset ends now again; returns the shift or None."""
    delta = timezone.now().replace(microsecond=0) - stored["anchored_at"]
    if delta < STALE_AFTER:
        return None
    with transaction.atomic():
        Click.objects.update(clicked_at=F("clicked_at") + delta)
        Link.objects.update(created_at=F("created_at") + delta, sent_at=F("sent_at") + delta)
        Campaign.objects.update(created_at=F("created_at") + delta)
        _write_meta(stored["fingerprint"], stored["anchored_at"] + delta)
        recount_click_figures()  # every click moved: counters and rollup rebuilt from them
    return delta


# The cache record, kept in the bench database so it cannot disagree with the rows -------------


def _create_meta_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (fingerprint TEXT NOT NULL, anchored_at TEXT NOT NULL,"
            " max_click_id BIGINT NOT NULL)"
        )


def _read_meta():
    with connection.cursor() as cursor:
        cursor.execute("SELECT fingerprint, anchored_at, max_click_id FROM bench_dataset")
        row = cursor.fetchone()
    if row is None:
        return None
    from datetime import datetime

    return {"fingerprint": row[0], "anchored_at": datetime.fromisoformat(row[1]), "max_click_id": row[2]}


def _write_meta(fingerprint, anchored_at):
    max_click_id = Click.objects.aggregate(m=Max("id"))["m"] or 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute(
            "INSERT INTO bench_dataset (fingerprint, anchored_at, max_click_id) VALUES (%s, %s, %s)",
            [fingerprint, anchored_at.isoformat(), max_click_id],
        )
