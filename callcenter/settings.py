"""One environment-driven settings module.

Every value that differs between machines comes from the environment (django-environ);
see README.md for the list. ``DJANGO_ENV`` is ``development`` (default), ``test`` or
``production``. Production refuses to start without a secret key, allowed hosts and a
database URL.

Django settings reference: https://docs.djangoproject.com/en/6.0/ref/settings/
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import environ
import sentry_sdk
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from callcenter.request_context import sentry_before_send
from callcenter.storage_locations import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    for required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when DJANGO_ENV=production")

# --- Core ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/ref/settings/#core-settings
DEBUG = env.bool("DJANGO_DEBUG", default=DJANGO_ENV == "development")
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key-never-used-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",  # ExclusionConstraint (leave overlap); harmless on the SQLite try-out
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "axes",
    # Two-factor login (SEC-2/SEC-3): TOTP apps and single-use recovery codes (datasecurity's twofa).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Our apps: callcenter <- datasecurity <- domain apps (see docs/architecture.md).
    "callcenter",
    "datasecurity",
    "attendance",
    "training",
    "performance",
    "complaints",
    "discipline",
]

MIDDLEWARE = [
    # First: the request id covers every line logged while the request is handled, redirects too.
    "callcenter.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "callcenter.middleware.UserLanguageMiddleware",
    # The second step of the login (SEC-2/SEC-3) before anything else a session may do, the
    # forced password change included: proving who you are comes before changing the password.
    "datasecurity.middleware.TwoFactorMiddleware",
    "callcenter.middleware.PasswordChangeRequiredMiddleware",
    "callcenter.middleware.AuditContextMiddleware",
    # SEC-3: a 403 to a signed-in user is an audit event (bounded per user and hour).
    "datasecurity.middleware.PermissionDenialAuditMiddleware",
    "callcenter.middleware.ApplicationErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "callcenter.urls"
WSGI_APPLICATION = "callcenter.wsgi.application"

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
                "callcenter.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/ref/databases/#postgresql-notes
# psycopg 3 (see docs/architecture.md for why); Django's connection pool when DATABASE_POOL=true.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env.bool("DATABASE_POOL", default=False):
        DATABASES["default"]["OPTIONS"] = {
            "pool": {"min_size": 2, "max_size": env.int("DATABASE_POOL_MAX", default=10)}
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DJANGO_ENV == "test":
        # The flush between transactional tests TRUNCATEs every table, the audit table too;
        # only test connections may (see datasecurity/migrations/0002_audit_append_only.py).
        # A test database is thrown away: its commits need not wait for the disk (the suite's
        # transactional tests commit and flush thousands of times).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c callcenter.allow_truncate=on -c synchronous_commit=off"
        )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`: two requests may write at once (two approvers, a page and its poll). WAL lets
    # readers work beside the one writer; IMMEDIATE takes the write lock when a transaction begins
    # (a deferred one upgrading from a read cannot wait: "database is locked", a 500); the busy
    # timeout queues the second writer behind the first. The second then meets the row the first
    # changed and gets the services' refusal (not_pending …), as on PostgreSQL's row locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds a writer waits for the lock
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the broker, the task results and the cache, each in its own database -----------
# REDIS_URL names the server and the broker's database n; the results use n + 1 and the cache
# n + 2, unless REDIS_RESULTS_URL / REDIS_CACHE_URL name others. Apart because clearing the
# cache (FLUSHDB) or evicting its keys must never drop a queued task.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_DATABASES = 16  # Redis's default `databases`


def _redis_database_url(url: str, offset: int) -> str:
    """``url`` with its database number moved up by ``offset`` (redis://, rediss://, unix://?db=)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    in_query = parts.scheme == "unix" or "db" in query
    number = query.get("db", ["0"])[0] if in_query else (parts.path.strip("/") or "0")
    if not number.isdigit() or int(number) + offset >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"REDIS_URL's database must be 0..{REDIS_DATABASES - 3}: the task results and the cache use the "
            "next two (or set REDIS_RESULTS_URL and REDIS_CACHE_URL)"
        )
    path = parts.path
    if in_query:
        query["db"] = [str(int(number) + offset)]
    else:
        path = f"/{int(number) + offset}"
    query_string = urlencode(query, doseq=True)
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query_string}" if query_string else "")


# The test suite runs in parallel (pytest-xdist, `make test`): worker gwN takes the three
# databases 3N places after REDIS_URL's, so one worker's FLUSHDB never drops another's keys.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if DJANGO_ENV == "test" else ""
if REDIS_URL and _TEST_WORKER.startswith("gw") and _TEST_WORKER[2:].isdigit():
    REDIS_URL = _redis_database_url(REDIS_URL, 3 * int(_TEST_WORKER[2:]))

REDIS_RESULTS_URL = env.str("REDIS_RESULTS_URL", default="") or (REDIS_URL and _redis_database_url(REDIS_URL, 1))
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (REDIS_URL and _redis_database_url(REDIS_URL, 2))
if REDIS_URL and len({REDIS_URL, REDIS_RESULTS_URL, REDIS_CACHE_URL}) < 3:
    raise ImproperlyConfigured("REDIS_URL, REDIS_RESULTS_URL and REDIS_CACHE_URL must name three different databases")

# --- Cache -----------------------------------------------------------------------------
if REDIS_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication (SEC-2) ------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/topics/auth/passwords/
AUTH_USER_MODEL = "callcenter.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "callcenter:login"
LOGIN_REDIRECT_URL = "callcenter:dashboard"
LOGOUT_REDIRECT_URL = "callcenter:login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)  # one long shift
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <body> hx-headers, not the cookie

# django-axes: lock an account after repeated failures. https://django-axes.readthedocs.io/
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock by account, not by IP: a call-center floor shares one NAT address, and an IP lockout
# would let five typos lock out every agent of the site. So axes.W006 is silenced on purpose;
# rotating IPs does not help an attacker, the account itself is locked.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The same client address as the audit trail (TRUSTED_PROXY_COUNT below).
AXES_CLIENT_IP_CALLABLE = "callcenter.request_context.request_client_ip"

# Two-factor login (SEC-2/SEC-3), django-otp: https://django-otp-official.readthedocs.io/
# The issuer names the site in the user's authenticator app; the trusted-device cookie skips the
# second step on one browser for the policy's ``trusted_device_days`` (datasecurity.TwoFactorPolicy).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="CallCenter HR")
TWOFA_TRUST_COOKIE_NAME = "twofa_trust"

# django-guardian: the object permissions that carry out access grants (callcenter.models.AccessGrant).
GUARDIAN_ANONYMOUS_USER_NAME = None
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# --- Internationalisation --------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/topics/i18n/
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
# https://whitenoise.readthedocs.io/
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Private files (leave certificates, LV-2): never under MEDIA_ROOT or STATIC_ROOT, never served by
# the web server; a view streams them after checking who asks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
LEAVE_CERTIFICATE_MAX_BYTES = env.int("LEAVE_CERTIFICATE_MAX_BYTES", default=5 * 1024 * 1024)
COMPLAINT_ATTACHMENT_MAX_BYTES = env.int("COMPLAINT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Backups (SEC-1) -------------------------------------------------------------------------
# Two separate locations, each a Django storage (callcenter/storage_locations.py): "backup_local", a
# directory on this host, and "backup_remote", named by BACKUP_REMOTE_URL (sftp://… or s3://… in
# production). Without BACKUP_REMOTE_URL (`make run`) the remote is a second directory on this
# host, which the backup plan's page shows as not separate. Backups and audit archives are
# encrypted at rest with BACKUP_ENCRYPTION_KEY (docs/operations.md says how to make and keep it).
BACKUP_LOCAL_URL = env.str("BACKUP_LOCAL_URL", default=str(BASE_DIR / "var" / "backups" / "local"))
BACKUP_REMOTE_URL = env.str("BACKUP_REMOTE_URL", default=str(BASE_DIR / "var" / "backups" / "remote"))
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
STORAGES["backup_local"] = storage_from_url(BACKUP_LOCAL_URL)
STORAGES["backup_remote"] = storage_from_url(BACKUP_REMOTE_URL)

# --- REST API --------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    # Both enforce the forced password change (SEC-2) for every user they authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "callcenter.api.authentication.SessionAuthentication",
        "callcenter.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested too deep is a 400 parse_error, not a RecursionError (callcenter.inputs.JSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "callcenter.inputs.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Lists paginate through callcenter.rest.paginated_response (50 a page, ?page_size= up to 200).
    "DEFAULT_SCHEMA_CLASS": "callcenter.rest.AutoSchema",
    "EXCEPTION_HANDLER": "callcenter.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_USER_RATE", default="6000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Call Center HR & Operations API",
    "DESCRIPTION": "REST API for time clocks, telephony/ACD systems and HR tools. "
    "Errors are JSON objects {detail, code}; every list is paginated.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "callcenter.rest.error_codes_schema_hook",
    ],
}

# --- Celery ----------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_RESULTS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # at-least-once: every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = timedelta(days=1)
# How long the health page's job runs are kept (each job's last run and last success always are).
JOB_RUN_RETENTION_DAYS = env.int("JOB_RUN_RETENTION_DAYS", default=90)
if JOB_RUN_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("JOB_RUN_RETENTION_DAYS must be at least 1")
# The one beat schedule (no database schedules: django-celery-beat lags Django releases).
# Each entry is a periodic job shown on the admin health page (callcenter.jobs).
CELERY_BEAT_SCHEDULE = {
    # SEC-4: an approved destruction whose task was lost or stalled is carried out again.
    "destruction-requests-resume": {
        "task": "datasecurity.tasks.destruction_requests_resume",
        "schedule": crontab(minute=40),
    },
    # Transfers and pay changes of the day take effect first: the leave grant, the day's attendance
    # and the approvals of the morning then read the new team, post and pay (issue 13).
    "people-changes-apply": {
        "task": "callcenter.tasks.people_changes_apply",
        "schedule": crontab(hour=0, minute=5),
    },
    "attendance-daily": {
        "task": "attendance.tasks.attendance_daily_compute",
        "schedule": crontab(hour=0, minute=30),
    },
    # Daily, not yearly: a joiner entered today gets their pro-rated days the next morning.
    "leave-annual-grant": {
        "task": "attendance.tasks.leave_annual_grant",
        "schedule": crontab(hour=0, minute=10),
    },
    "audit-chain-verify": {
        "task": "datasecurity.tasks.audit_chain_verify",
        "schedule": crontab(hour=1, minute=30),
    },
    # SEC-3: the chain head, signed, outside the database; a trimmed tail can hide only until the
    # next checkpoint, so every 10 minutes (a file only when the head has moved).
    "audit-checkpoint": {
        "task": "datasecurity.tasks.audit_checkpoint_write",
        "schedule": crontab(minute="*/10"),
    },
    # SEC-2: audit events past the retention are archived (signed, both backup locations, read
    # back) and then deleted; after the nightly integrity check, which also verifies the archives.
    "audit-retention": {
        "task": "datasecurity.tasks.audit_retention",
        "schedule": crontab(hour=2, minute=40),
    },
    # SEC-3: the security page's counts and the bulk-read alerts, incremental by audit event id.
    "security-monitor-scan": {
        "task": "datasecurity.tasks.security_monitor_scan",
        "schedule": crontab(minute="*/5"),
    },
    "sessions-clear": {
        "task": "callcenter.tasks.sessions_clear",
        "schedule": crontab(hour=3, minute=0),
    },
    # The 5-minute complaint job alone records ~105k runs a year: keep JOB_RUN_RETENTION_DAYS.
    "job-runs-prune": {
        "task": "callcenter.tasks.job_runs_prune",
        "schedule": crontab(hour=3, minute=20),
    },
    # Hourly from midnight: a grant starts on its first day and its permission goes after its
    # last (the visibility queries already ignore a grant out of its days; this keeps guardian's
    # permissions the same as the grants).
    "access-grants-sync": {
        "task": "callcenter.tasks.access_grants_sync",
        "schedule": crontab(minute=0),
    },
    # GEN-2: leavers are deactivated on the day after their last working day; hourly, so a missed
    # or crashed run catches up (idempotent).
    "people-leavers-deactivate": {
        "task": "callcenter.tasks.leavers_deactivate",
        "schedule": crontab(minute=5),
    },
    # CMP-2: an urgent complaint's first response is due within hours; check every 5 minutes.
    "complaint-sla-escalation": {
        "task": "complaints.tasks.complaint_sla_escalation",
        "schedule": crontab(minute="*/5"),
    },
    # PRF-2: daily, not only on the 1st: idempotent, so a missed or crashed run catches up.
    "appraisal-month-end": {
        "task": "performance.tasks.appraisal_month_end",
        "schedule": crontab(hour=2, minute=0),
    },
    "appraisal-reminders": {
        "task": "performance.tasks.appraisal_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # SEC-1: the plan's schedule lives in the database (the backups page); this fixed entry asks
    # every 15 minutes whether a backup is due, and the drill restores each new backup after it.
    "backup-run": {
        "task": "datasecurity.tasks.backup_run_due",
        "schedule": crontab(minute="*/15"),
    },
    "backup-verify": {
        "task": "datasecurity.tasks.restore_drill_due",
        "schedule": crontab(minute="7-59/15"),
    },
    # Training records (issue 16, TRN-3): mandatory-course reminders, once per stage (idempotent).
    "training-reminders": {
        "task": "training.tasks.training_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
}
PERIODIC_JOB_LABELS = {
    "destruction-requests-resume": _("Approved data destructions resumed when their job was lost (SEC-4)"),
    "people-changes-apply": _("Transfers and changes taking effect (GEN-2)"),
    "attendance-daily": _("Daily attendance of the day before (ATT-1, ATT-4, ATT-5)"),
    "leave-annual-grant": _("Annual leave entitlement grant (LV-3)"),
    "audit-chain-verify": _("Audit trail integrity check (SEC-3)"),
    "audit-checkpoint": _("Audit trail checkpoint outside the database (SEC-3)"),
    "audit-retention": _("Audit trail retention: archived, then deleted (SEC-2)"),
    "sessions-clear": _("Expired session clean-up (SEC-2)"),
    "job-runs-prune": _("Job run history clean-up (each job's last runs are kept)"),
    "access-grants-sync": _("Access grants started and expired (SEC-2)"),
    "people-leavers-deactivate": _("Leavers deactivated after their last working day (GEN-2)"),
    "complaint-sla-escalation": _("Complaint SLA escalation (CMP-2)"),
    "appraisal-month-end": _("Month-end appraisal cycle (PRF-2)"),
    "appraisal-reminders": _("Appraisal deadline reminders (PRF-2)"),
    "backup-run": _("Backup by the plan, to both locations (SEC-1)"),
    "backup-verify": _("Restore drill of the newest backup (SEC-1)"),
    "security-monitor-scan": _("Security monitoring: counts and bulk-read alerts (SEC-3)"),
    # Training records (issue 16)
    "training-reminders": _("Mandatory training reminders, before and after the deadline (TRN-3)"),
}

# --- E-mail and links in e-mails ------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/topics/email/ and django-environ's EMAIL_URL
# (smtp://user:pw@host:587?tls=True). Development writes each e-mail to a file under var/mail/
# (`make run` says so with the logins; the console keeps to what a person needs); EMAIL_URL=
# consolemail:// prints them instead.
_email = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:25" if PRODUCTION else "filemail://")
if _email["EMAIL_BACKEND"].endswith(".filebased.EmailBackend") and not _email.get("EMAIL_FILE_PATH"):
    _email["EMAIL_FILE_PATH"] = str(BASE_DIR / "var" / "mail")  # development only: production sends
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="callcenter-hr@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (a Celery worker has no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The company's name on printed documents (bonus sheet PDF, certificates).
COMPANY_NAME = env.str("COMPANY_NAME", default="呼叫中心")

# --- Security --------------------------------------------------------------------------
# https://docs.djangoproject.com/en/6.0/howto/deployment/checklist/
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every answer (Django's built-in middleware): scripts, styles, fonts
# and fetches from this site only; no inline script, no style attribute, no eval, no nonce needed
# (the templates keep to it: callcenter/tests/test_csp.py). data: images are Bootstrap's SVG icons.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ---------------------------------------------------------------------------
# One line per record on stderr, each with the id of the request (or task) it belongs to
# (callcenter.middleware.RequestIdMiddleware). JSON in production (LOG_FORMAT=json: one object per
# line, for the log collector), text elsewhere. Web, worker and beat log alike: Celery keeps this
# configuration (callcenter/celery.py). In production each request is logged once by
# callcenter.requests (the access log: method, path, status, duration).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain")
# A trusted reverse proxy's X-Request-ID is taken as the request id (only if the proxy sets it).
REQUEST_ID_TRUST_HEADER = env.bool("REQUEST_ID_TRUST_HEADER", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "callcenter.request_context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "request_id", "message"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # The access log: production only (runserver prints its own in development).
        "callcenter.requests": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

# --- Error reporting (Sentry) ---------------------------------------------------------
# Off unless SENTRY_DSN is set. Errors of web (Django) and of tasks (Celery), tagged with the
# request id. No personal data: no user, IP, cookies, query strings, bodies or local variables.
# https://docs.sentry.io/platforms/python/integrations/django/
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        release=env.str("SENTRY_RELEASE", default="") or None,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        before_send=sentry_before_send,
    )

# --- Demo ------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Demo!2026pass")
# The demo administrator's authenticator key (hex, 20 bytes): administrators always sign in with a
# second factor, so `seed_demo` enrols `admin` with it and `demo_logins` prints its secret and code.
DEMO_TOTP_KEY = env.str("DEMO_TOTP_KEY", default="64656d6f2d61646d696e2d746f74702d6b657921")
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
# Signed checkpoints of the audit chain head (SEC-3): a directory the database user cannot
# write, files created once and never overwritten (datasecurity.services.audit_checkpoint_write).
AUDIT_CHECKPOINT_DIR = env.path("AUDIT_CHECKPOINT_DIR", default=BASE_DIR / "var" / "audit-checkpoints")
# The client IP of audit events and lockouts (callcenter.request_context.request_client_ip): the
# number of reverse proxies in front of the application, each appending to X-Forwarded-For. 0 (the
# default) ignores the header. TRUST_X_FORWARDED_FOR=true, the former switch, means one proxy.
_LEGACY_TRUST_FORWARDED = env.bool("TRUST_X_FORWARDED_FOR", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if _LEGACY_TRUST_FORWARDED else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
