"""Every setting of longarm, read from the environment, hardened by default.

This is the one place that lists what can be configured. Each `LONGARM_*`
variable below is documented in README.md ("Settings"). Defaults are safe for
production (HTTPS only, DEBUG off); `longarm demo` relaxes only HTTPS, because
it serves plain HTTP on the loopback address.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import platformdirs

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("LONGARM_DATA_DIR") or platformdirs.user_data_dir("longarm"))


def _secret_key() -> str:
    """The key comes from the environment, or is generated once per data directory.

    A generated key is never a constant in the code, so no two installations
    share one, and it survives restarts because it is kept (mode 0600).
    """
    key = os.environ.get("LONGARM_SECRET_KEY")
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("LONGARM_DEBUG", False)
ALLOWED_HOSTS = env_list("LONGARM_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("LONGARM_CSRF_TRUSTED_ORIGINS", [])

# HTTPS hardening. Only `longarm demo` and the test suite turn it off.
HTTPS = env_bool("LONGARM_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("LONGARM_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("LONGARM_SESSION_SECONDS", 8 * 3600)
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "longarm.accounts",
    "longarm.audit",
    "longarm.runs",
    "longarm.registry",
    "longarm.documents",
    "longarm.travel",
    "longarm.border",
    "longarm.watchlist",
    "longarm.alerts",
    "longarm.cases",
    "longarm.treaties",
    "longarm.reports",
    "longarm.synth",
    "longarm.identity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "longarm.audit.middleware.RequestIdMiddleware",
]

ROOT_URLCONF = "longarm.urls"
WSGI_APPLICATION = "longarm.wsgi.application"

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

SQLITE_PATH = DATA_DIR / "longarm.sqlite3"
DATABASE_URL = os.environ.get("LONGARM_DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("LONGARM_DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE takes the write
    # lock at BEGIN, so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-200000",
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("LONGARM_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The project-wide CSS and the vendored htmx live in longarm/static/, outside any app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("LONGARM_STATIC_ROOT") or DATA_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise scans it at start-up
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by WhiteNoise straight from the package, so the
# web UI works without `collectstatic` and without anything from the internet.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Reminders go out by SMTP; `longarm demo` prints them to the console instead.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("LONGARM_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("LONGARM_SMTP_HOST", "localhost"),
            "port": env_int("LONGARM_SMTP_PORT", 25),
            "username": os.environ.get("LONGARM_SMTP_USER", ""),
            "password": os.environ.get("LONGARM_SMTP_PASSWORD", ""),
            "use_tls": env_bool("LONGARM_SMTP_STARTTLS", False),
        },
    },
}
if MAILERS["default"]["BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {}
DEFAULT_FROM_EMAIL = os.environ.get("LONGARM_FROM_EMAIL", "longarm@localhost")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("LONGARM_REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["LONGARM_REDIS_URL"]}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "longarm.api_pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's, naming nested Input/Output serializers after their view.
    "DEFAULT_SCHEMA_CLASS": "longarm.api_common.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "longarm API",
    "DESCRIPTION": "Registry, travel control, border reconciliation and pursuit of fugitives. "
    "Every read of a person is scoped to the caller's jurisdiction and audited.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Fields of the same name with different choices (status, sex …): one schema name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "OfficialStatusEnum": "longarm.registry.models.OfficialStatus",
        "SexEnum": "longarm.registry.models.Sex",
        "TripStatusEnum": "longarm.travel.models.TripStatus",
        "WatchlistEntryStatusEnum": "longarm.watchlist.models.EntryStatus",
        "RunStatusEnum": "longarm.runs.models.RunStatus",
        "AlertStatusEnum": "longarm.alerts.models.AlertStatus",
        "SeverityEnum": "longarm.alerts.models.Severity",
        "RunKindEnum": "longarm.runs.models.RunKind",
        "CaseStatusEnum": "longarm.cases.models.CaseStatus",
        "CaseEventKindEnum": "longarm.cases.models.EventKind",
        "MeasureKindEnum": "longarm.cases.models.MeasureKind",
        "MeasureStatusEnum": "longarm.cases.models.MeasureStatus",
        "MeasureAnswerStatusEnum": "longarm.cases.api.ANSWER_CHOICES",
        "TreatyKindEnum": "longarm.treaties.models.TreatyKind",
        "TreatyStatusEnum": "longarm.treaties.models.TreatyStatus",
        "PairKindEnum": "longarm.identity.models.PairKind",
        "PairStatusEnum": "longarm.identity.models.PairStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LONGARM_LOG_LEVEL", "WARNING")},
}

# Domain settings (see shared/spec/exchange-formats.md).
LONGARM_HOME_COUNTRY = os.environ.get("LONGARM_HOME_COUNTRY", "CHN")
LONGARM_REPORTING_CURRENCY = os.environ.get("LONGARM_REPORTING_CURRENCY", "CNY")
LONGARM_IMPORT_BATCH_ROWS = env_int("LONGARM_IMPORT_BATCH_ROWS", 50_000)
LONGARM_IMPORT_ERROR_LIMIT = env_int("LONGARM_IMPORT_ERROR_LIMIT", 100)
LONGARM_RULES = {
    "exit_tolerance_days": env_int("LONGARM_EXIT_TOLERANCE_DAYS", 1),
    "return_grace_days": env_int("LONGARM_RETURN_GRACE_DAYS", 1),
    "missing_after_days": env_int("LONGARM_MISSING_AFTER_DAYS", 14),
    "document_return_days": env_int("LONGARM_DOCUMENT_RETURN_DAYS", 10),
}
# A reconciliation reads only what changed since the last run, unless the registry's change log holds more
# than this many rows since then (a bulk import, say): then it reads the whole registry and every crossing.
LONGARM_RECONCILE_DAILY_MAX_CHANGES = env_int("LONGARM_RECONCILE_DAILY_MAX_CHANGES", 100_000)
# Travel pre-checks: this many approved trips departing in the 12 months
# before a new one make its request "unusually frequent travel".
LONGARM_FREQUENT_TRAVEL_TRIPS_PER_YEAR = env_int("LONGARM_FREQUENT_TRAVEL_TRIPS_PER_YEAR", 4)
# Watch-list entries come up for review this many days before they expire.
LONGARM_WATCHLIST_REVIEW_DAYS = env_int("LONGARM_WATCHLIST_REVIEW_DAYS", 30)
# Personnel officers and holders are reminded this many days before a document expires.
LONGARM_DOCUMENT_EXPIRY_WARNING_DAYS = env_int("LONGARM_DOCUMENT_EXPIRY_WARNING_DAYS", 90)
LONGARM_API_MAX_PAGE_SIZE = env_int("LONGARM_API_MAX_PAGE_SIZE", 500)
LONGARM_UI_PAGE_SIZE = env_int("LONGARM_UI_PAGE_SIZE", 50)
# Identity resolution: a pair of records at or above the match probability raises DUPLICATE_IDENTITY
# (officials); a pair at or above the review probability (and below the match one) goes to the review queue.
LONGARM_IDENTITY_MATCH_PROBABILITY = float(os.environ.get("LONGARM_IDENTITY_MATCH_PROBABILITY") or 0.95)
LONGARM_IDENTITY_REVIEW_PROBABILITY = float(os.environ.get("LONGARM_IDENTITY_REVIEW_PROBABILITY") or 0.5)
