"""Django settings for b12tracker, read from the environment.

There is one settings module for every deployment: values differ, branches do not.
README.md lists every variable read here.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .envconf import (
    env_bool,
    env_cache,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
    env_timezone,
    env_vapid,
    load_env_file,
)

# Generic Django classes (ModelAdmin[Flag], QuerySet[Dose]) subscript at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# A local .env (written by `make run`, never committed) lets manage.py run on a developer's
# machine; B12_ENV_FILE names another file, or none when empty.
ENV_FILE = os.environ.get("B12_ENV_FILE", str(BASE_DIR / ".env")).strip()
if ENV_FILE:
    load_env_file(ENV_FILE)
VAR_DIR = Path(env_str("B12_VAR_DIR", str(BASE_DIR / "var"))).resolve()
OUTBOX_DIR = VAR_DIR / "outbox"
BROKER_DIR = VAR_DIR / "broker"
for folder in (
    VAR_DIR,
    OUTBOX_DIR / "email",
    OUTBOX_DIR / "sms",
    BROKER_DIR / "queue",
    BROKER_DIR / "processed",
    BROKER_DIR / "control",
):
    folder.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-debug-only-key-never-use-in-production")
else:
    if not os.environ.get("SECRET_KEY", "").strip():
        raise ImproperlyConfigured(
            "Set the environment variable SECRET_KEY (at least 50 varied characters), "
            "or DEBUG=true on your own machine (`make run` writes both into .env)."
        )
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 varied characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "core",
    "accounts",
    "schedules",
    "reminders",
    "monitoring",
    "clinic",
    "interop",
    "carers",
    "api",
    "demo",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.session_limits.SessionLimitsMiddleware",
    "accounts.mfa_required.MfaRequiredMiddleware",
    "accounts.read_audit.ReadAuditMiddleware",
    "carers.acting.ActingForMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "b12tracker.pwa.OfflineCacheMiddleware",
]

ROOT_URLCONF = "b12tracker.urls"
WSGI_APPLICATION = "b12tracker.wsgi.application"
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
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'b12tracker.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Rendered parts of the patient pages, in each process's memory (gone at every restart, so
# never older than the code), keyed on the patient, the prescription and its revision.
CACHES = {"default": env_cache("CACHE_URL", "locmemcache://b12tracker")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Test databases are files too (see settings_test), so a worker process can share them.
    # IMMEDIATE: a writer takes the lock at BEGIN, so two racing requests queue instead of
    # one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ProfileBackend",
    # Sessions begun before the profile-loading backend name this one: they stay valid.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Throttling: five wrong passwords for one account from one address within 15 minutes are
# answered normally; the sixth attempt, right password or not, is refused until 15 minutes
# pass. An address alone is locked only after 50 failures (a practice shares one address):
# accounts.throttle.failure_limit drops the limit to none once the address reaches that, and
# for one account once 30 failures spread over any addresses reach it.
# axes locks when the count reaches the limit, and accounts.views.locked_out lets the attempt
# that reaches it keep its normal answer.
AXES_FAILURE_LIMIT = "accounts.throttle.failure_limit"
AXES_LOCK_OUT_AT_FAILURE = True
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "accounts.views.throttle_username"
AXES_RESET_ON_SUCCESS = True
# Refused attempts are counted too (axes' default, stated because locked_out relies on it:
# a count above the limit means the attempt was refused unchecked).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
# One way of writing a date on every page: 30 Nov 2026 (b12tracker/formats wins over the
# locale's own, which Django prefers to these two settings).
FORMAT_MODULE_PATH = ["b12tracker.formats"]
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Email: files under var/outbox/email unless EMAIL_URL names an SMTP server.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "B12 Tracker <reminders@b12tracker.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
_email = env_email("EMAIL_URL")
if _email:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(OUTBOX_DIR / "email")

# SMS: files under var/outbox/sms by default; twilio needs its credentials.
SMS_BACKEND = env_choice("SMS_BACKEND", "file", ("file", "console", "locmem", "twilio"))
SMS_FILE_PATH = str(OUTBOX_DIR / "sms")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10, minimum=1)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "")
if SMS_BACKEND == "twilio" and not (
    TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER
):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."
    )

# Web push (phone notifications): off unless both VAPID keys are set (manage.py vapid_keys
# prints a pair; `make run` keeps one in var/vapid.env). The subject is the contact a push
# service may write to about our messages.
VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = env_vapid("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:reminders@b12tracker.invalid")
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("VAPID_SUBJECT must be a mailto: or https:// URL.")
PUSH_TIMEOUT_SECONDS = env_int("PUSH_TIMEOUT_SECONDS", 10, minimum=1)
# The push services a device's subscription may name (each with its subdomains): the
# browsers' own. The server posts to whatever endpoint a patient's browser gives, so any
# other host (our own network, a cloud metadata address) is refused.
PUSH_ALLOWED_HOSTS = [
    host.lower().strip(".")
    for host in env_list(
        "PUSH_ALLOWED_HOSTS",
        [
            "fcm.googleapis.com",
            "push.services.mozilla.com",
            "push.apple.com",
            "notify.windows.com",
        ],
    )
]
if any(not host or set(host) & set("/:@*\\ ") for host in PUSH_ALLOWED_HOSTS):
    raise ImproperlyConfigured("PUSH_ALLOWED_HOSTS must be host names, comma-separated.")

# Celery: kombu's filesystem broker in var/broker unless CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # kombu reads messages from data_folder_in and writes to data_folder_out: one folder.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be filesystem:// or a redis:// URL.")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker keeps the LOGGING handler below (and its filter of repeated errors).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# A starting worker tries the database and the broker, backing off, for this long; then it
# exits (status 1) with one line naming the one that does not answer.
WORKER_STARTUP_CHECK_SECONDS = env_int("WORKER_STARTUP_CHECK_SECONDS", 30)
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60, minimum=1)
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)
# Reminder sweeps: how often beat ticks them, how long a claimed message stays claimed, and
# the hour (UTC) of each clinician's daily flag digest.
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 60, minimum=1)
# A claim on a reminder lasts this long and is renewed while its sender is still at work, so a
# killed sender's reminders go back to pending within it; the dispatch sweep then runs every
# DISPATCH_SECONDS, more often than the other sweeps.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 30, minimum=1)
DISPATCH_SECONDS = env_int("DISPATCH_SECONDS", 15, minimum=1)
FLAG_DIGEST_HOUR = env_int("FLAG_DIGEST_HOUR", 7)
# Health: a pending reminder this long past its intended instant (whatever its retry time)
# turns the status page red; the bearer token that lets a monitor read /ops/health (unset:
# staff only).
OUTBOX_LATE_MINUTES = env_int("OUTBOX_LATE_MINUTES", 5, minimum=1)
# ... and so does a channel whose waiting messages have failed, with no delivery since, for
# this long (its provider is down, or refuses everything).
TRANSPORT_DOWN_MINUTES = env_int("TRANSPORT_DOWN_MINUTES", 3, minimum=1)
# While a provider does not answer, its messages wait between a third of this and this many
# seconds (jittered) before the next try, without using an attempt.
_outage_wait = env_int("OUTAGE_WAIT_SECONDS", 90, minimum=1)
OUTAGE_WAIT_SECONDS = (_outage_wait / 3, float(_outage_wait))
OPS_HEALTH_TOKEN = env_str("OPS_HEALTH_TOKEN", "")
if FLAG_DIGEST_HOUR > 23:
    raise ImproperlyConfigured("FLAG_DIGEST_HOUR must be an hour from 0 to 23 (UTC).")


def _sweep(task: str, seconds: int = SWEEP_SECONDS) -> dict[str, object]:
    # A tick left queued longer than this is dropped: the next one does the same work.
    expires = max(seconds, 30)
    return {"task": task, "schedule": float(seconds), "options": {"expires": expires}}


# Every periodic task lives here and nowhere else.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": float(HEARTBEAT_SECONDS)},
    "extend-horizons": {"task": "schedules.tasks.extend_schedule_horizons", "schedule": 3600.0},
    "plan-notifications": _sweep("reminders.tasks.plan_notifications"),
    "dispatch-notifications": _sweep("reminders.tasks.dispatch_notifications", DISPATCH_SECONDS),
    "flag-missed-doses": _sweep("schedules.tasks.flag_missed_doses"),
    "nudge-unlogged-doses": _sweep("reminders.tasks.nudge_unlogged_doses"),
    # Ampoule stock: running low, and batches nearing their use-by date as the days pass.
    "check-stock": _sweep("reminders.stock.tasks.check_stock", 900),
    "plan-flag-digests": _sweep("monitoring.tasks.plan_flag_digests"),
    "send-carer-alerts": _sweep("carers.tasks.send_carer_alerts", 300),
    # The clinicians' patient summaries: 90-day counts that moved with the days alone.
    "refresh-patient-summaries": _sweep("monitoring.tasks.refresh_patient_summaries", 900),
    # Symptom check-in prompts go by the day, at the patient's reminder time.
    "plan-checkin-prompts": {
        "task": "monitoring.tasks.plan_checkin_prompts",
        "schedule": 900.0,
        "options": {"expires": 900},
    },
    # Review flags (overdue maintenance, repeated misses, loading and 3-month reviews) move
    # by the day: every 15 minutes is plenty.
    "raise-review-flags": {
        "task": "monitoring.tasks.raise_review_flags",
        "schedule": 900.0,
        "options": {"expires": 900},
    },
    # The monitoring plan: tests done by a result, "book your test" prompts, overdue flags.
    "plan-monitoring-checks": {
        "task": "monitoring.tasks.plan_monitoring_checks",
        "schedule": 900.0,
        "options": {"expires": 900},
    },
}

# The REST API (docs/api.md): personal access tokens only, JSON only, errors as problem
# details, pages of 50, and rate limits per token owner and per address.
API_RATE_USER = env_str("API_RATE_USER", "120/minute")
API_RATE_ANON = env_str("API_RATE_ANON", "30/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.Json"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerUser", "api.throttles.PerAddress"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "B12 Tracker API",
    "DESCRIPTION": "A patient's prescription, planned doses, injection log, check-ins, labs and "
    "stock; a clinician's patients and flags. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set shared by several fields (symptom scores, units, kinds).
    "ENUM_NAME_OVERRIDES": {
        "SymptomScoreEnum": "monitoring.models.Score",
        "LabUnitEnum": "monitoring.models.LabUnit",
        "FlagKindEnum": "monitoring.models.Flag.Kind",
        "PhaseKindEnum": "schedules.choices.PhaseKind",
        "CadenceUnitEnum": "schedules.choices.CadenceUnit",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# HTTPS: one switch for the whole set, on behind a TLS-terminating proxy.
HTTPS = env_bool("HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # __Host- cookies: the browser keeps them only if secure, for this host alone, on path /.
    SESSION_COOKIE_NAME = "__Host-b12session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# The client's address: behind the HTTPS proxy (or PROXY_COUNT proxies in a row, each adding
# its peer to X-Forwarded-For) it is the entry the outermost proxy wrote there; without a
# proxy the header is the client's own word, so only the connection's address counts.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if HTTPS else 0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# A client (or its own office proxy) may send X-Forwarded-For too, which makes the header
# longer than our proxies alone would: the entry our outermost proxy wrote still counts.
IPWARE_STRICT = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Session limits (accounts.session_limits): idle log-off by role, an absolute limit from the
# sign-in, and how recent a sign-in must be before exports, email and 2FA changes.
SESSION_IDLE_MINUTES_STAFF = env_int("SESSION_IDLE_MINUTES_STAFF", 15, minimum=1)
SESSION_IDLE_MINUTES_PATIENT = env_int("SESSION_IDLE_MINUTES_PATIENT", 60, minimum=1)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 10, minimum=1)
SESSION_COOKIE_AGE = 60 * 60 * SESSION_ABSOLUTE_HOURS

# Two-factor sign-in (django-otp: TOTP, recovery codes, and passkeys through
# django-otp-webauthn). Required for these roles before any patient page.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["clinician", "staff"])
OTP_TOTP_ISSUER = "b12tracker"
OTP_WEBAUTHN_RP_NAME = "b12tracker"
# Browsers offer passkeys only on HTTPS or on http://localhost: without HTTPS the site's
# passkeys work when it is opened as localhost on SITE_URL's port.
_site = urlsplit(SITE_URL)
_passkey_origin = (
    SITE_URL
    if _site.scheme == "https"
    else f"http://localhost{f':{_site.port}' if _site.port else ''}"
)
OTP_WEBAUTHN_RP_ID = env_str(
    "OTP_WEBAUTHN_RP_ID", urlsplit(_passkey_origin).hostname or "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("OTP_WEBAUTHN_ALLOWED_ORIGINS", [_passkey_origin])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # An error repeated (same logger, level, message and exception) within 60 s is logged
    # once, then counted: "... repeated N times in the last 60 s" (b12tracker.logfilter).
    "filters": {
        "repeats": {
            "()": "b12tracker.logfilter.RepeatedErrors",
            "window": float(env_int("LOG_REPEAT_SECONDS", 60, minimum=1)),
        }
    },
    "formatters": {
        "plain": {"format": "[%(asctime)s: %(levelname)s/%(processName)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["repeats"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
