"""Link Tracker settings: one module, every deployment knob read from the environment.

Defaults are safe for a laptop (SQLite file under var/, DEBUG off, localhost only). The README's
"Configuration" section lists every variable read here.
"""

import datetime
import os
import secrets
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
    "links",
    "tracker",
    "analytics",
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
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
    # busy timeout makes writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL;"
            " PRAGMA journal_size_limit=67108864;"
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
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

# Admin import/export: importing needs the model's add (and change) permission, exporting its view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Uploaded import files wait here between the preview and the confirmation; forget_prospect scans them.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "links.import_storage.ImportFolderStorage"
IMPORT_FOLDER = Path(env_str("IMPORT_FOLDER", str(VAR_DIR / "imports")))
ADMIN_IMPORT_MAX_ROWS = env_int("ADMIN_IMPORT_MAX_ROWS", 1_000)  # the admin imports ~20 ms a row; see README
