"""Settings for liangshan-edu, read from the environment.

With nothing set this is the embedded default: SQLite in the project folder and Celery tasks run eagerly
in-process. Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, DEBUG=0 and
ALLOWED_HOSTS; see docker-compose.yml.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from liangshan_edu.env import env, envbool, envfloat, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "axes",
    "places",
    "indicators",
    "counties",
    "assessment",
    "alarms",
    "redblack",
    "scoring",
    "dashboards",
    "reports",
    "benchmarks",
    "liangshan_edu",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response, static files included.
    "csp.middleware.CSPMiddleware",
    "liangshan_edu.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzip-compressed when the browser asks (the dashboard's map and heat map are ~100 KB of HTML). Below
    # WhiteNoise, which serves its own pre-compressed static files; above every middleware that writes the body.
    # BREACH: Django masks the CSRF token per response and, since 4.2, adds up to 100 random bytes to each gzip
    # response ("Heal The Breach", GZipMiddleware.max_random_bytes).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out login into its lockout response (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liangshan_edu.urls"
WSGI_APPLICATION = "liangshan_edu.wsgi.application"

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
                "liangshan_edu.roles.role_context",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL=postgres://… selects PostgreSQL through psycopg2.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes (INCLUDE) that keep the incremental recompute fast are PostgreSQL's; on SQLite (the
# embedded default) Django creates them on their key columns only, which is what this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for AXES_COOLOFF_MINUTES, on the login form, the admin's and the token API alike. The pair,
# not either alone: a county bureau's clerks share an office address, and locking a username wherever the
# attempts come from would let anyone lock an official out. Administrators unlock in the admin (Axes › access
# attempts: delete) or with ``manage.py axes_reset_username <name>``; failures are kept (access failure logs).
AUTHENTICATION_BACKENDS = [
    "liangshan_edu.auth.LoginThrottleBackend",  # axes' AxesStandaloneBackend, first as axes requires
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Retrying while locked out does not start the cool-off again (a clerk who keeps trying is not locked for longer).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "liangshan_edu.auth.lockout_response"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The entry form posts every row of a county's year (~225 indicators × version, inputs and their shown
# values ≈ 1,400 fields); Django's default of 1,000 would refuse every save of the full form with a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Plotly.js is our own vendored copy (static/vendor/plotly/, the "cartesian" partial bundle; SOURCE.md there):
# a third of the full bundle the plotly package ships, and the app needs no internet access.
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site root by WhiteNoise (no URL route): /favicon.ico for clients that do not read <link rel=icon>.
WHITENOISE_ROOT = BASE_DIR / "static" / "img" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "media")
# Production (DEBUG off): hashed names (cached for a year) plus .gz and .br copies that WhiteNoise serves to
# clients that accept them (brotli through the Brotli package in requirements.txt).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: production (DEBUG off) gets HTTPS-only cookies and HSTS; a TLS proxy sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The compose healthchecks ask web over plain HTTP inside the network (the proxy terminates TLS outside it).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading HSTS binds the whole domain to HTTPS in browsers for years: only when an administrator opts in.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS += ["security.W021"]  # HSTS preload is an opt-in (above), not a forgotten setting
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Our pages load our own scripts only (no inline script: tests/test_templates_no_inline_script.py); Plotly needs
# no remote origin. Styles allow inline: plotly.js and the admin set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Features no page uses are switched off for the page and anything it might embed.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), interest-cohort=()")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "liangshan_edu.api.LimitOffsetPagination",  # limit 1–1000
    "PAGE_SIZE": 200,
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_SCHEMA_CLASS": "liangshan_edu.api.schema.AutoSchema",  # documents every error response
    "EXCEPTION_HANDLER": "liangshan_edu.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "liangshan-edu API",
    "DESCRIPTION": _("凉山州教育高质量发展目标监测平台 REST API (v1)"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several resources have a "status" with different choices: name each set after its model.
    "ENUM_NAME_OVERRIDES": {
        "FigureStatusEnum": "counties.choices.FigureStatus",
        "ProgressStatusEnum": "assessment.choices.ProgressStatus",
    },
}

# Celery. No broker configured → tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or ""
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXTENDED = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A running recompute job renews its heartbeat a few times within this many seconds; one silent for longer
# (its worker died), or pending for longer (no worker took it), is marked failed when a new one is asked for.
RECOMPUTE_JOB_LEASE_SECONDS = envint("RECOMPUTE_JOB_LEASE_SECONDS", 120)
# Heartbeats that /healthz reads (liangshan_edu.health): each worker writes one this often, and beat publishes a
# tiny heartbeat task this often; three missed intervals make a heartbeat stale.
HEALTH_WORKER_HEARTBEAT_SECONDS = envfloat("HEALTH_WORKER_HEARTBEAT_SECONDS", 15.0)
HEALTH_BEAT_HEARTBEAT_SECONDS = envfloat("HEALTH_BEAT_HEARTBEAT_SECONDS", 30.0)
# The rhythm of the plans: 日动态、周调度、月通报、季挂榜, and the nightly full recompute.
CELERY_BEAT_SCHEDULE = {
    # Beat's heartbeat for /healthz; a copy not taken within two intervals is dropped, not piled up.
    "health-heartbeat": {"task": "liangshan_edu.heartbeat", "schedule": HEALTH_BEAT_HEARTBEAT_SECONDS,
                         "options": {"expires": 2 * HEALTH_BEAT_HEARTBEAT_SECONDS}},
    "nightly-recompute": {"task": "assessment.tasks.recompute_all", "schedule": crontab(hour=2, minute=0)},
    # 月通报: the first day of each month, after the nightly recompute.
    "monthly-bulletin-snapshot": {"task": "assessment.tasks.snapshot_progress", "args": ("monthly",),
                                  "schedule": crontab(day_of_month=1, hour=3, minute=0)},
    # 季挂榜: the first day of each quarter.
    "quarterly-ranking-snapshot": {"task": "assessment.tasks.snapshot_progress", "args": ("quarterly",),
                                   "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=3, minute=30)},
    # 督导: 催办 before the deadline, yellow then red after it (redblack.supervision.escalate; idempotent).
    "supervision-escalation": {"task": "redblack.tasks.escalate_notices", "schedule": crontab(hour=8, minute=0)},
    # Alarms by the clock (submission due/late, registered sources) and escalation; the rhythm (alarms.rhythm).
    "alarms-clock": {"task": "alarms.tasks.run_clock", "schedule": crontab(minute=15)},
    "rhythm-daily": {"task": "alarms.tasks.run_rhythm", "args": ("daily",), "schedule": crontab(hour=7, minute=0)},
    "rhythm-weekly": {"task": "alarms.tasks.run_rhythm", "args": ("weekly",),
                      "schedule": crontab(day_of_week=1, hour=7, minute=30)},
    "rhythm-monthly": {"task": "alarms.tasks.run_rhythm", "args": ("monthly",),
                       "schedule": crontab(day_of_month=1, hour=4, minute=0)},
    "rhythm-quarterly": {"task": "alarms.tasks.run_rhythm", "args": ("quarterly",),
                         "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=4, minute=30)},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("REDIS_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_CACHE_URL")}}

# The progress rule (DESIGN §3). One place: assessment.rules reads these.
PROGRESS_LAGGING_SHARE = envfloat("PROGRESS_LAGGING_SHARE", 0.8)
PROGRESS_BASE_YEAR = envint("PROGRESS_BASE_YEAR", 2021)
# Plausibility checks of data entry: change from last year, and modified z-score against the other counties.
PLAUSIBILITY_MAX_CHANGE_SHARE = envfloat("PLAUSIBILITY_MAX_CHANGE_SHARE", 0.3)
PLAUSIBILITY_OUTLIER_Z = envfloat("PLAUSIBILITY_OUTLIER_Z", 3.5)

# Red/black lists and supervision notices (redblack.conf): appeal window, reply deadline, 催办 and escalation
# (days), evidence upload limit (bytes).
REDBLACK_APPEAL_DAYS = envint("REDBLACK_APPEAL_DAYS", 7)
SUPERVISION_REPLY_DAYS = envint("SUPERVISION_REPLY_DAYS", 15)
SUPERVISION_REMIND_DAYS = envint("SUPERVISION_REMIND_DAYS", 3)
SUPERVISION_RED_AFTER_DAYS = envint("SUPERVISION_RED_AFTER_DAYS", 7)
SUPERVISION_EVIDENCE_MAX_BYTES = envint("SUPERVISION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# The county map's boundaries; administrators may point this at official boundaries of their own.
COUNTY_BOUNDARIES_FILE = Path(env("COUNTY_BOUNDARIES_FILE") or BASE_DIR / "static" / "data" / "liangshan_counties.geojson")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "INFO"},
}
