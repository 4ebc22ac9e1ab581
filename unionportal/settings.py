"""The one settings file. Production differs from development only in its environment;
every variable is listed, with a production value, in `.env.example`."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from unionportal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A development key is allowed only with DEBUG on, so a forgotten SECRET_KEY fails loudly.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-in-production" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "unionportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "treebeard",
    "simple_history",
    # Ours, in layer order: each depends only on those above it.
    "unionportal",
    "organizations",
    "accounts",
    "cadres",
    "standards",
    "activities",
    "relief",
    "reports",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionportal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the messages middleware: an ended session says so on the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "unionportal.urls"
WSGI_APPLICATION = "unionportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionportal.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ by default, so one command runs the portal on a fresh machine;
# PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'unionportal.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE makes concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too, as production does: in-memory SQLite shares one cache between
    # threads and fails concurrent writers at once ("table is locked") instead of queueing them.
    # One file per test process, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_unionportal_{os.getpid()}.sqlite3")}

# Cached figures (the leader's dashboard, unionportal/cache.py) and the versions that throw
# them away when a record of the branch changes. Production (several gunicorn workers, and a
# Celery worker that runs large imports) must set REDIS_URL: a LocMemCache is per process, so
# one process would keep serving figures that a write through another has made stale.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "unionportal",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login security (accounts/security.py): a username is locked for LOCKOUT_MINUTES after
# LOCKOUT_FAILURES failures within LOCKOUT_WINDOW_MINUTES; one IP address is refused for
# the window after IP_FAILURE_LIMIT failures, whatever usernames it tries.
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_WINDOW_MINUTES = env_int("LOCKOUT_WINDOW_MINUTES", 15)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 30)
IP_FAILURE_LIMIT = env_int("IP_FAILURE_LIMIT", 50)

# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The session (and its cookie) is written when it changes: the time of the last request at
# most once a minute (accounts/middleware.py), so the idle limit is kept to the minute.
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60)
# Sessions are read from the cache (Redis in production) and kept in the database too.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["unionportal.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (photos, evidence) live outside the static root and are served only
# through views that check scope; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
IMPORT_ROOT = VAR_DIR / "imports"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collected files (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("STATIC_MANIFEST", not DEBUG)

# Uploads: an import workbook is at most IMPORT_MAX_MB; request bodies are capped a little above.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "generic/_table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# Every admin's history entry names its user; bulk paths pass it explicitly.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

PAGE_SIZE = env_int("PAGE_SIZE", 50)
MAX_PAGE_SIZE = env_int("MAX_PAGE_SIZE", 200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

SITE_TITLE = _("Union portal")
AUDIT_RECORDER = "accounts.audit.record"

# Background jobs (accounts/jobs.py): exports of more than EXPORT_SYNC_MAX_ROWS rows and
# imports of more than IMPORT_SYNC_MAX_ROWS rows run in a Celery worker (`make run` starts
# one; production runs it under systemd) with Redis as the broker. The worker and the web
# server share VAR_DIR: the uploaded workbook, the progress and the finished file live there.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Runs each job inside the request that starts it: only for a machine without Redis, never in
# production (a 50,000-row import would hold the request for minutes).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True  # a job's state is its Job row, not a result backend
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-job leaves the message for the next one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # jobs are long: one at a time per worker process
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that cannot reach Redis fails the job in about a second instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
JOBS_QUEUE = env_str("JOBS_QUEUE", "unionportal")
JOBS_ROOT = Path(env_str("JOBS_ROOT", str(VAR_DIR / "jobs")))
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 7)
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000)
# The standardization report's page shows this many units at a time, and makes a workbook of at
# most REPORT_WORKBOOK_MAX_UNITS units (built in memory for its merged header).
REPORT_UNITS_PER_PAGE = env_int("REPORT_UNITS_PER_PAGE", 500)
REPORT_WORKBOOK_MAX_UNITS = env_int("REPORT_WORKBOOK_MAX_UNITS", 20000)
# A form's choice of organizations, cadres or people on file becomes a search box above this
# many records (unionportal/choices.py).
CHOICES_SEARCH_ABOVE = env_int("CHOICES_SEARCH_ABOVE", 300)
IMPORT_SYNC_MAX_ROWS = env_int("IMPORT_SYNC_MAX_ROWS", 2000)
JOB_LAUNCHER = "accounts.jobs.launch"
