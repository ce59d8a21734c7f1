"""Link Tracker settings: one module, every deployment knob read from the environment.

Defaults are safe for a laptop (SQLite file under var/, DEBUG off, localhost only). The README's
"Configuration" section lists every variable read here.
"""

import datetime
import ipaddress
import os
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _secret_key():
    """SECRET_KEY from the environment, else a random key kept in var/secret_key (never in git)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# Absolute base of the tracking URLs handed to Clay, e.g. https://go.example.com.
# Empty means "build it from the request's host".
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")
if PUBLIC_BASE_URL and urlsplit(PUBLIC_BASE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must start with http:// or https://")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL] if PUBLIC_BASE_URL else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "import_export",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "linktracker.apps.TaskQueueConfig",  # django_tasks_db, named in the admin
    "links",
    "tracker",
    "analytics",
    "events",
    "linktracker",
    "access",
    "axes",
]

MIDDLEWARE = [
    # Before everything: a tracking domain's host answers tracking URLs only (tracker.tracking_hosts).
    "tracker.tracking_hosts.TrackingDomainMiddleware",
    # First on purpose: answers /t/<token> itself and never runs the rest of the chain
    # (sessions, auth, CSRF... cost ~40 % of the redirect's throughput and serve it nothing).
    "tracker.middleware.TrackingRedirectMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "linktracker.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.team_browser.TeamBrowserCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linktracker.urls"
WSGI_APPLICATION = "linktracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production), an SQLite file by default.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on SQLite: WAL lets readers run beside the writer, IMMEDIATE takes the
    # write lock at BEGIN (DEFERRED upgrades fail with "database is locked" under load) and the
    # busy timeout makes writers queue instead of failing. The worker checkpoints the write-ahead
    # log after each round of its jobs that found work (linktracker.worker), so that a redirect's
    # commit seldom takes the log past wal_autocheckpoint (SQLite's 1,000 pages) and checkpoints it
    # itself; when no worker runs, the redirects checkpoint 1,000 pages at a time (a few ms each)
    # rather than 10,000 (250 ms for the one click that lands on it).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL;"
            " PRAGMA journal_size_limit=67108864; PRAGMA wal_autocheckpoint=1000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state between processes (rate-limit counters) goes through the cache.
if env_str("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security. HTTPS=true turns on what a deployment behind TLS wants; see README "Production".
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Client IP: from the socket unless a trusted reverse proxy is named. TRUSTED_PROXY_HEADER is the
# header that proxy sets, e.g. X-Forwarded-For; its right-most address is the one it saw.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER")
if env_bool("TRUSTED_PROXY_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Click recording.
ANONYMIZE_IPS = env_bool("ANONYMIZE_IPS", True)  # IPv4 /24, IPv6 /48
SCANNER_WINDOW_SECONDS = env_int("SCANNER_WINDOW_SECONDS", 60)
BURST_WINDOW_SECONDS = env_int("BURST_WINDOW_SECONDS", 2)
TRACKING_MISS_LIMIT = env_int("TRACKING_MISS_LIMIT", 30)  # unknown tokens per minute per client /24, then 429
# A MaxMind-format city database (GeoLite2-City layout) the operator provides; empty: no cities.
GEOIP_MMDB_PATH = env_str("GEOIP_MMDB_PATH").strip()

REST_FRAMEWORK = {
    # Token first, so an anonymous API call answers 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Link Tracker API",
    "DESCRIPTION": "Tracking links for Clay prospects, click recording and engagement analytics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "linktracker.errors.document_error_responses",
    ],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Background worker (manage.py worker) and derived click figures. Each tick the worker runs every
# job of WORKER_JOBS (dotted paths of functions taking no argument, returning how many items they
# handled), then the tasks queued through Django's Tasks API (django-tasks, database backend: no
# extra service). tracker.derivation.derive_click_figures keeps the link counters and the click
# rollup within a tick of the clicks; a system check fails when it is missing.
WORKER_TICK_SECONDS = env_int("WORKER_TICK_SECONDS", 1)
# While the jobs find work, a round of them starts at most this often: each pass takes this much of
# a stream of clicks at once, rather than the few that came during the last pass (linktracker.worker).
WORKER_ROUND_SECONDS = env_int("WORKER_ROUND_MS", 250) / 1000
# Added to the worker's niceness at start (0: the web processes' priority). Not by default: on SQLite a
# niced worker holding the database's one write lock is preempted by the redirects waiting for that
# lock (priority inversion: twice the redirect's p99 beside the worker, docs/BENCHMARKS.md), and on
# PostgreSQL its work runs in the server's processes, which no niceness of ours reaches.
WORKER_NICENESS = env_int("WORKER_NICENESS", 0)
WORKER_JOBS = [
    "tracker.held_clicks.write_held_clicks",  # clicks a web host held during a database outage
    "tracker.derivation.derive_click_figures",
    "tracker.devices.describe_new_clicks",  # device, OS, browser of new clicks; forwarded links
    "events.jobs.find_hot_leads",  # settled human clicks become hot-lead events and deliveries
    "events.jobs.resume_lost_deliveries",
    "events.jobs.prune_delivery_log",
]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A redirect that never fails a prospect (README "Production"): every database wait of the redirect
# is bounded; when the database fails, destinations come from the destination cache and clicks are
# held on the web host (HELD_CLICKS_DIR) until the worker's tracker.held_clicks.write_held_clicks
# writes them. Shared state goes to Redis when REDIS_URL is set, else to a per-host SQLite file.
TRACKING_DATABASE_TIMEOUT = env_int("TRACKING_DATABASE_TIMEOUT_MS", 1000) / 1000
TRACKING_DATABASE_RETRY_SECONDS = env_int("TRACKING_DATABASE_RETRY_SECONDS", 2)
HELD_CLICKS_DIR = Path(env_str("HELD_CLICKS_DIR", str(VAR_DIR / "held-clicks")))
HOST_STORE_PATH = Path(env_str("HOST_STORE_PATH", str(VAR_DIR / "host-store.sqlite3")))
DESTINATION_CACHE_ALIAS = MISS_COUNTER_CACHE_ALIAS = "default" if env_str("REDIS_URL") else ""
if env_str("REDIS_URL"):
    # A Redis that is down or hung costs a request at most these waits, then is skipped.
    _redis_timeout = env_int("REDIS_TIMEOUT_MS", 250) / 1000
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": _redis_timeout, "socket_timeout": _redis_timeout}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq's connect_timeout (2 s at least) bounds connecting to a PostgreSQL that does not answer;
    # client_connection_check_interval makes the server drop the statement of a client that gave
    # up (the redirect's watchdog). Server-side statement/lock timeouts are optional (0 = off).
    _pg_options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
    _pg_settings = {
        "client_connection_check_interval": 1000,
        "statement_timeout": env_int("DATABASE_STATEMENT_TIMEOUT_MS", 0),
        "lock_timeout": env_int("DATABASE_LOCK_TIMEOUT_MS", 0),
        # Only the redirect's statements are prepared on the server (Django binds its own queries on
        # the client). Left to choose, PostgreSQL re-plans the link lookup on every click (about
        # 200 µs of server CPU): its generic plan's guess for "clicks since $1" looks dearer than a
        # custom plan, though both are the same two index lookups.
        "plan_cache_mode": "force_generic_plan",
    }
    _pg_options.setdefault("options", " ".join(f"-c {name}={value}" for name, value in _pg_settings.items()))
    # The redirect's two statements are prepared on each connection after this many runs
    # (tracker.statements.fast_cursor); empty: never (PgBouncer before 1.21 in transaction mode).
    _prepare_never = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip() == ""
    _pg_options.setdefault("prepare_threshold", None if _prepare_never else env_int("DATABASE_PREPARE_THRESHOLD", 5))
    if env_int("DATABASE_POOL_MAX_SIZE", 0) > 0:
        # psycopg's pool, per process (shared by its threads): more web threads than connections
        # wait at most DATABASE_POOL_TIMEOUT_MS for one; a redirect that waited in vain falls back.
        _pg_options["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 0),
            "timeout": env_int("DATABASE_POOL_TIMEOUT_MS", 1000) / 1000,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections

# Hot-lead events: internal clicks, webhook endpoints and their deliveries (README "Hot-lead alerts").
# INTERNAL_NETWORKS: the team's own networks (comma-separated CIDRs, e.g. 198.51.100.0/24): clicks
# from there get the verdict `internal`, never counted and never an alert.
INTERNAL_NETWORKS = env_list("INTERNAL_NETWORKS", [])
for _cidr in INTERNAL_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"INTERNAL_NETWORKS: {_cidr!r} is not a network like 198.51.100.0/24") from None
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_CONSECUTIVE_FAILURES = env_int("WEBHOOK_MAX_CONSECUTIVE_FAILURES", 20)  # then the endpoint is disabled
WEBHOOK_LOG_DAYS = env_int("WEBHOOK_LOG_DAYS", 30)  # delivery attempts older than this are pruned

# Accounts, forwarded links, countries and devices.
# A link "looks forwarded" when its human clicks come from at least SHARED_MIN_DEVICES user agents
# or SHARED_MIN_NETWORKS networks, at least SHARED_MIN_HOURS_APART hours apart (tracker.forwarding).
# The worker stores the result; after changing these, run `manage.py describe_clicks --sharing`.
SHARED_MIN_DEVICES = env_int("SHARED_MIN_DEVICES", 2)
SHARED_MIN_NETWORKS = env_int("SHARED_MIN_NETWORKS", 2)
SHARED_MIN_HOURS_APART = env_int("SHARED_MIN_HOURS_APART", 1)

# Languages of the pages (dashboard, login, error pages): the browser's Accept-Language picks one
# of LANGUAGES, or the language switch (a cookie); LANGUAGE_CODE is the fallback. The API's and the
# CSV's fixed words (headers, statuses, "Non défini") are not translated.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en").strip().lower().split("-")[0]  # fr-FR -> fr
LANGUAGES = [("fr", "Français"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]

# Clay set-up and operator safety: request limits, the host's time zone.
# A bulk POST of 10,000 Clay rows (~400 bytes each) is ~4 MB: bodies up to API_MAX_BODY_BYTES are
# read; a larger one answers a JSON 413 saying how to split it.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 8 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# The admin's "delete selected" confirmation posts one field per selected link: 10,000 links and more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("MAX_FORM_FIELDS", 100_000)


def is_time_zone(name):
    """True when `name` is an IANA time zone name this machine knows, e.g. Europe/Paris."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def host_time_zone(etc=Path("/etc")):
    """Return the host's time zone name: TZ if it names a zone, else /etc/timezone (Debian,
    Ubuntu), else where the /etc/localtime link points (every systemd system, macOS); UTC when
    none of them says."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    timezone_file = etc / "timezone"
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text().strip())
    localtime = etc / "localtime"
    if localtime.is_symlink():
        target = str(localtime.resolve())
        candidates.append(target.partition("/zoneinfo/")[2])
    return next((name for name in candidates if name and is_time_zone(name)), "UTC")


def env_time_zone(name, default):
    """An IANA time zone name from the environment; nonsense raises ImproperlyConfigured."""
    value = env_str(name).strip() or default
    if not is_time_zone(value):
        raise ImproperlyConfigured(f"{name} must be a time zone name such as Europe/Paris or UTC, not {value!r}")
    return value


# Dates on the dashboard, in the CSV and in the admin: the zone of the machine the server runs on
# unless TIME_ZONE says otherwise.
TIME_ZONE = env_time_zone("TIME_ZONE", host_time_zone())
SPECTACULAR_SETTINGS["DESCRIPTION"] += (
    " Every path answers with and without its trailing slash, for every method, with no redirect;"
    ' every error is JSON, {"detail": ...} or messages per field.'
)

# ---- Access: scoped API tokens, roles, tracking domains, login rate limits, sessions ----------
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "access.authentication.ApiTokenAuthentication",  # first: an anonymous call gets 401 + WWW-Authenticate: Token
    "rest_framework.authentication.SessionAuthentication",
]
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["access.permissions.HasScope"]
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["linktracker.errors.JSONBodyParser"]  # deep nesting is a 400

# Tracking domains (links.TrackingDomain): tracking URLs on them are TRACKING_DOMAIN_SCHEME://HOST/t/TOKEN.
# Each process re-reads the list of hosts at most every TRACKING_DOMAIN_REFRESH_SECONDS (and at
# once in the process that changed it), so a new domain works without a restart.
TRACKING_DOMAIN_SCHEME = env_str("TRACKING_DOMAIN_SCHEME", "https")
if TRACKING_DOMAIN_SCHEME not in ("http", "https"):
    raise ImproperlyConfigured("TRACKING_DOMAIN_SCHEME must be http or https")
TRACKING_DOMAIN_REFRESH_SECONDS = env_int("TRACKING_DOMAIN_REFRESH_SECONDS", 10)

# Login attempts (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# IP, that pair is refused (429, no password hashed) for AXES_COOLOFF_MINUTES. The dashboard's
# and the admin's login forms both go through it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "access.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "access.lockout.client_ip_address"
AXES_VERBOSE = False

# The dashboard's session ends after SESSION_IDLE_MINUTES without a request (each request renews it).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 8 * 60) * 60
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", True)
# Sessions live in a signed cookie: renewing it on every request writes nothing to the database,
# so reading the dashboard never writes (tests/analytics/test_reads_never_write.py).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

# Admin import/export: importing needs the model's add (and change) permission, exporting its view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Uploaded import files wait here between the preview and the confirmation; forget_prospect scans them.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "links.import_storage.ImportFolderStorage"
IMPORT_FOLDER = Path(env_str("IMPORT_FOLDER", str(VAR_DIR / "imports")))
ADMIN_IMPORT_MAX_ROWS = env_int("ADMIN_IMPORT_MAX_ROWS", 1_000)  # the admin imports ~20 ms a row; see README
