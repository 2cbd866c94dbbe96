"""Django settings, all read from the environment (see README, "Environment").

No DATABASE_URL means SQLite, no REDIS_URL means Celery tasks run eagerly, so a
fresh clone runs with no configuration at all. DJANGO_ENV=production turns on
the secure defaults and refuses the development secret key.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from bounceportal.env import (
    database_from_env,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    redis_url_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BOUNCEPORTAL_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, got {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Django's own deploy check (security.W009) wants 50+ characters with 5+ distinct ones; production
# refuses to start with less, so a weak key is an error at boot rather than a warning nobody reads.
if PRODUCTION and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50+ characters (5+ distinct ones) when DJANGO_ENV=production"
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "bounceportal.apps.PortalAdminConfig",  # django.contrib.admin with bounceportal.admin_site as admin.site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "contacts",
    "campaigns",
    "reports",
    "reports.ops",
    "reports.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, which answers static files itself: they get the policy too.
    "bounceportal.security.ContentSecurityPolicyMiddleware",
    "bounceportal.security.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, after sessions and before CommonMiddleware (Django's order): a logged-in
    # user's own language (contacts/preferences.py), else the cookie, else Accept-Language.
    "contacts.preferences.UserLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's user gave a one-time code from a device of theirs.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bounceportal.security.UnstorableQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "contacts.tenancy.OrganizationMiddleware",
    # After the organization's: a login waiting for its code, or an admin who must enrol, reaches nothing else.
    "contacts.two_factor_gate.TwoFactorGateMiddleware",
    "contacts.tenancy.OrganizationTimeZoneMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bounceportal.urls"
WSGI_APPLICATION = "bounceportal.wsgi.application"

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
                "contacts.tenancy.organization_context",
            ],
            # {% keyset_result_list cl %}: the large tables' admin rows (bounceportal/admin_rows.py)
            "libraries": {"admin_rows": "bounceportal.admin_rows"},
        },
    },
]

DATABASES = {"default": database_from_env("DATABASE_URL", sqlite_path=BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if DJANGO_ENV == "test":
    # The default PBKDF2 (1,000,000 iterations) costs half a second per user a test creates;
    # healthchecks and pretix switch it off in tests the same way. Never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# --- Login throttling (django-axes) -------------------------------------------------
# Every login (the portal's and the admin's) goes through axes' backend first: after
# LOGIN_FAILURE_LIMIT wrong passwords for one account (from any address), or from one client
# address (for any accounts), further attempts are refused for LOGIN_LOCKOUT_MINUTES (each
# attempt during the lockout starts it again), even with the right password. Support staff
# unlock in the Django admin (Login lockouts → "Unlock"). Failures are rows in the database.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one: per account and per client address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_ENABLE_ADMIN = False  # contacts/admin_lockouts.py registers the admin, with the unlock action
AXES_CLIENT_IP_CALLABLE = "bounceportal.security.client_ip"
# Reverse proxies in front of the web process that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False
# Password-reset mails one address, and one client address, may ask for per hour (contacts/password_reset.py).
PASSWORD_RESET_MAILS_PER_ADDRESS = env_int("PASSWORD_RESET_MAILS_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_MAILS_PER_IP = env_int("PASSWORD_RESET_MAILS_PER_IP", 20, minimum=1)

# The second login step's code is never stored with a failed attempt (axes keeps the POST data).
AXES_SENSITIVE_PARAMETERS = ["code"]

# --- Two-factor authentication (django-otp; contacts/two_factor.py) --------------------
# Any user may add an authenticator app (TOTP) and single-use backup codes; a wrong code at the
# login's second step counts as a failed login for django-axes above, and each device also makes
# the next try wait 1, 2, 4, 8 … seconds after wrong ones in a row. The Django admin always asks
# staff for a verified code in production; elsewhere ADMIN_REQUIRES_TWO_FACTOR=1 turns it on.
ADMIN_REQUIRES_TWO_FACTOR = PRODUCTION or env_bool("ADMIN_REQUIRES_TWO_FACTOR", False)
OTP_TOTP_ISSUER = "BouncePortal"
# The Django admin's device pages never show a user's secret key or its QR code (django-otp shows both by default).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_BACKUP_CODES = 10

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal-home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages -----------------------------------------------------------------
# English by default; each user picks theirs (contacts/preferences.py, the header's picker). Each
# LOCALE_PATHS entry holds the catalog of the strings under its parent directory: makemessages run
# at the root writes templates/ and bounceportal/ strings into the first one (docs in README).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [
    BASE_DIR / "bounceportal" / "locale",
    BASE_DIR / "contacts" / "locale",
    BASE_DIR / "campaigns" / "locale",
    BASE_DIR / "reports" / "locale",
]
# The picker's cookie (contacts/language_views.py): a year, first-party, not for scripts.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Dates per language (bounceportal/formats/<lang>/formats.py): English keeps the ISO-like dates.
FORMAT_MODULE_PATH = ["bounceportal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent on every response (pages are built to need no inline script or style);
# production only adds the transport-level settings below.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer's liveness probe speaks plain HTTP to the process; it carries no secret.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Celery -------------------------------------------------------------------
REDIS_URL = redis_url_from_env("REDIS_URL")
# The cache holds the API's throttle counts (pages read the summary counters the
# writes keep, campaigns/counters.py, not a cache). CACHE_URL=redis://… shares it
# between web processes; without it each process keeps its own.
CACHE_URL = redis_url_from_env("CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "bounceportal",
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker every task runs in the caller's process (the embedded demo).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_BEAT_TICK_SECONDS = env_int("CELERY_BEAT_TICK_SECONDS", 30, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # Enqueue a poll of each bounce mailbox whose interval has passed (campaigns/tasks/ingestion.py).
    "poll-due-mailboxes": {
        "task": "campaigns.tasks.ingestion.poll_due_mailboxes",
        "schedule": CELERY_BEAT_TICK_SECONDS,
    },
    # Retries of deferred sends and sends of workers that died (campaigns/tasks/sending.py).
    "send-due-sends": {"task": "campaigns.send_due_sends", "schedule": env_int("SEND_SWEEP_SECONDS", 60, minimum=1)},
    # Learners whose soft suppression expired become sendable again (contacts/deliverability/expiry.py).
    "release-expired-suppressions": {
        "task": "contacts.release_expired_suppressions",
        "schedule": env_int("SUPPRESSION_RELEASE_SECONDS", 300, minimum=1),
    },
    # Outbound webhook deliveries that are due: retries, and any whose after-commit enqueue was lost.
    "deliver-due-webhooks": {"task": "contacts.deliver_due_webhooks", "schedule": CELERY_BEAT_TICK_SECONDS},
    # Proof for /readyz that beat, the broker and a worker all run (ops/tasks.py).
    "beat-heartbeat": {"task": "reports.ops.tasks.record_beat_heartbeat", "schedule": CELERY_BEAT_TICK_SECONDS},
    # Scheduled runs' sends whose time (or send window) has come (campaigns/services/scheduling.py).
    "release-due-sends": {"task": "campaigns.release_due_sends", "schedule": CELERY_BEAT_TICK_SECONDS},
    # Raw bodies older than RAW_RETENTION_DAYS keep their headers only (campaigns/services/retention.py).
    "purge-raw-bodies": {
        "task": "campaigns.purge_raw_bodies",
        "schedule": env_int("RETENTION_SWEEP_SECONDS", 3600, minimum=1),
    },
    # Admins' digest emails whose period is over (reports/digest.py); safe on several workers at once.
    "send-due-digests": {
        "task": "reports.send_due_digests",
        "schedule": env_int("DIGEST_SWEEP_SECONDS", 300, minimum=1),
    },
}
# The local hour (organization's time zone) from which a digest of the day or week before goes out.
DIGEST_SEND_HOUR = env_int("DIGEST_SEND_HOUR", 6, minimum=0)
if DIGEST_SEND_HOUR > 23:
    raise ImproperlyConfigured(f"DIGEST_SEND_HOUR must be an hour from 0 to 23, got {DIGEST_SEND_HOUR}")
# Days a raw inbound message body (and a raw ESP webhook event) is kept before only its headers remain.
RAW_RETENTION_DAYS = env_int("RAW_RETENTION_DAYS", 90, minimum=1)

# --- Operations endpoints (ops/): /healthz, /readyz, /metrics ------------------
# /readyz and /metrics answer a bearer token or a staff login; in production one of the two is required.
OPS_TOKEN = env_str("OPS_TOKEN")
if PRODUCTION and OPS_TOKEN and len(OPS_TOKEN) < 32:
    raise ImproperlyConfigured("OPS_TOKEN must be 32+ characters when DJANGO_ENV=production")
# /readyz fails when the last beat heartbeat is older than this, or a mailbox poll is this overdue.
READYZ_BEAT_MAX_AGE_SECONDS = env_int("READYZ_BEAT_MAX_AGE_SECONDS", max(3 * CELERY_BEAT_TICK_SECONDS, 120), minimum=1)
READYZ_MAX_MAILBOX_LAG_SECONDS = env_int("READYZ_MAX_MAILBOX_LAG_SECONDS", 1800, minimum=1)

# --- Email out (campaign sends) -----------------------------------------------
BOUNCE_DOMAIN = env_str("BOUNCE_DOMAIN", "bounces.bounceportal.test")
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SMTP_HOST = env_str("SMTP_HOST", "127.0.0.1")
SMTP_PORT = env_int("SMTP_PORT", 25, minimum=1)
SMTP_SECURITY = env_str("SMTP_SECURITY", "none")  # none | starttls | tls
if SMTP_SECURITY not in ("none", "starttls", "tls"):
    raise ImproperlyConfigured(f"SMTP_SECURITY must be none, starttls or tls, got {SMTP_SECURITY!r}")
SMTP_USERNAME = env_str("SMTP_USERNAME")
SMTP_PASSWORD = env_str("SMTP_PASSWORD")
SEND_CHUNK_SIZE = env_int("SEND_CHUNK_SIZE", 500, minimum=1)
SEND_RETRY_WINDOW_SECONDS = env_int("SEND_RETRY_WINDOW_SECONDS", 72 * 3600, minimum=1)
# 4xx replies and connection failures are retried after BASE, 2×BASE, 4×BASE … (at most MAX) seconds.
SEND_RETRY_BASE_SECONDS = env_int("SEND_RETRY_BASE_SECONDS", 300, minimum=1)
SEND_RETRY_MAX_SECONDS = env_int("SEND_RETRY_MAX_SECONDS", 3600, minimum=1)
# A claimed send whose worker has been silent this long is claimed again (the worker died).
SEND_CLAIM_LEASE_SECONDS = env_int("SEND_CLAIM_LEASE_SECONDS", 900, minimum=10)
SMTP_TIMEOUT_SECONDS = env_int("SMTP_TIMEOUT_SECONDS", 30, minimum=1)

# --- Engagement: telling link scanners from people (campaigns/engagement_signals.py) ------------
# Opens and clicks this soon after delivery, from these address ranges (comma-separated CIDRs), or
# clicking every link of a message within ENGAGEMENT_ALL_LINKS_SECONDS are recorded as machine.
ENGAGEMENT_AFTER_DELIVERY_SECONDS = env_int("ENGAGEMENT_AFTER_DELIVERY_SECONDS", 10, minimum=0)
ENGAGEMENT_ALL_LINKS_SECONDS = env_int("ENGAGEMENT_ALL_LINKS_SECONDS", 10, minimum=1)
ENGAGEMENT_SCANNER_NETWORKS = env_networks("ENGAGEMENT_SCANNER_NETWORKS", [])
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "BouncePortal <noreply@bounceportal.test>")

# --- Bounce mailboxes -----------------------------------------------------------
# Key for encrypting mailbox passwords at rest (a Fernet key); derived from
# SECRET_KEY in development, required in production.
MAILBOX_SECRET_KEY = env_str("MAILBOX_SECRET_KEY")
if PRODUCTION and not MAILBOX_SECRET_KEY:
    raise ImproperlyConfigured("MAILBOX_SECRET_KEY must be set when DJANGO_ENV=production")
# The only non-public networks a connection made for a customer (mailbox hosts, OAuth2 token
# endpoints; bounceportal/egress.py) may reach, and the only ones plain http may go to. Loopback
# outside production (the demo's and the tests' local servers); none in production, where it would
# let customers probe the internal network through "Test connection", unless the operator lists one.
EGRESS_ALLOWED_NETWORKS = env_networks("EGRESS_ALLOWED_NETWORKS", [] if PRODUCTION else ["127.0.0.0/8", "::1/128"])
# --- Outbound webhooks (contacts/webhooks/) ------------------------------------------------------
# Seconds one POST may take; the first retry's wait (doubling per attempt, at most the cap); how long
# a subscription may fail before it is disabled; how old a delivery may get before it is given up.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1)
WEBHOOK_DISABLE_AFTER_SECONDS = env_int("WEBHOOK_DISABLE_AFTER_SECONDS", 24 * 3600, minimum=60)
WEBHOOK_GIVE_UP_AFTER_SECONDS = env_int("WEBHOOK_GIVE_UP_AFTER_SECONDS", 3 * 24 * 3600, minimum=60)
INBOUND_MAX_BYTES = env_int("INBOUND_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Seconds the classifier may spend on one inbound message; past it the message is kept raw as
# "too complex" for review (issue #13: hostile mail must not stall a mailbox's polls).
INBOUND_CLASSIFY_SECONDS = env_int("INBOUND_CLASSIFY_SECONDS", 10, minimum=1)
DEMO_MAILDIR = Path(env_str("DEMO_MAILDIR", str(VAR_DIR / "demo-maildir")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every login's counter reset at INFO; its lockouts are WARNING.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Covering (INCLUDE) indexes serve the portal on PostgreSQL; SQLite (the demo) ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

DJANGO_TABLES2_TEMPLATE = "includes/table.html"
# Django's template renderer, with a <select> written in Python (the same markup; bounceportal/form_renderer.py).
FORM_RENDERER = "bounceportal.form_renderer.FormRenderer"

# --- Email services (ESP webhooks, campaigns/services/esp/) --------------------------
# A webhook request with more events than this is answered at once and ingested by the worker.
ESP_WEBHOOK_SYNC_EVENTS = env_int("ESP_WEBHOOK_SYNC_EVENTS", 5000, minimum=1)
ESP_WEBHOOK_MAX_BYTES = env_int("ESP_WEBHOOK_MAX_BYTES", 32 * 1024 * 1024, minimum=1024)
# Hosts (host:port) the tests serve an SNS signing certificate from; read only when DJANGO_ENV=test.
SNS_TEST_HOSTS: tuple[str, ...] = ()

# --- Bounce mailbox ingestion (campaigns/services/ingestion.py) ---------------------
# Messages per ingestion transaction. A batch costs ~19 ms of CPU (poller and database) besides its messages'
# own ~0.7 ms each (bench/ingest.py): 0.88 ms a message at 100, 0.73 at 500. A batch is held in memory whole.
INBOUND_BATCH_SIZE = env_int("INBOUND_BATCH_SIZE", 500, minimum=1)
# A batch is closed early once its messages' bytes reach this (one message at least): without it a batch
# of 500 large messages could hold 500 x INBOUND_MAX_BYTES in memory.
INBOUND_BATCH_MAX_BYTES = env_int("INBOUND_BATCH_MAX_BYTES", 64 * 1024 * 1024, minimum=1024)
MAILBOX_POLLERS = env_int("MAILBOX_POLLERS", 2, minimum=1)  # tasks that share one big mailbox's backlog
MAILBOX_RETRY_BACKOFF_SECONDS = env_int("MAILBOX_RETRY_BACKOFF_SECONDS", 60, minimum=1)

# --- REST API (api/) ------------------------------------------------------------------
# Requests per API key, counted in the cache (set CACHE_URL so every web process shares the count).
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["reports.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["reports.api.authentication.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["reports.api.authentication.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BouncePortal API",
    "DESCRIPTION": "An organization's learners, bounce events and campaign runs. Authenticate with an API key "
    "made in Settings → API keys: `Authorization: Bearer <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI served from our own static files (drf-spectacular-sidecar): the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "DeliverabilityStatusEnum": "contacts.choices.DeliverabilityStatus",
        "CategoryEnum": "contacts.choices.Category",
        "SubtypeEnum": "contacts.choices.Subtype",
        "ReasonEnum": "contacts.choices.Reason",
        "RunStatusEnum": "campaigns.models.RunStatus",
    },
    "COMPONENT_SPLIT_REQUEST": True,
}
