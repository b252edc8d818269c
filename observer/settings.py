"""Settings for Observer, read from the environment.

Every value that differs between a laptop and a deployment comes from a
``DJANGO_*`` variable (or ``DATABASE_URL`` / ``REDIS_URL`` / ``CELERY_BROKER_URL``).
A ``.env`` file in the project folder is read when present; ``.env.example``
lists every variable and docs/deploy.md explains them. The defaults are safe:
debug is off unless asked for, and then a secret key must be given; with
debug off, cookies are secure, HTTP is redirected to HTTPS and HSTS is sent.
With nothing set, one machine runs everything: SQLite, a local-memory cache,
files in MEDIA_ROOT, mail sent at once (no task queue).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Required with debug off: without it, no way of serving the site starts (observer/checks.py),
# while commands that never sign anything (makemigrations, compilemessages) still run.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    # Only for a laptop in debug mode; never used when debug is off.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with a site that lets staff in only after a second factor.
    "incidents.security.apps.ObserverAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "js_lib_leaflet",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "incidents",
]

MIDDLEWARE = [
    # /healthz answers before the host check and the HTTPS redirect (load balancers).
    "incidents.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL in a path, query or form: 400 with a reason, before a lookup on PostgreSQL could fail.
    "incidents.security.input.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 503 "try again" page instead of a server error while the database restarts.
    "incidents.health.DatabaseUnavailableMiddleware",
    # 429/503 with Retry-After when a public page missing from the cache is over the build budget.
    "incidents.public.cache.BuildBudgetMiddleware",
    # Last, so that it sees the answer to a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "observer.urls"

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
                "incidents.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "observer.wsgi.application"
ASGI_APPLICATION = "observer.asgi.application"

# The embedded SQLite file is the default; PostgreSQL is the real database.
DATABASES = {
    # Debug (``make run``, the demo with its known passwords) has its own file, never the production default.
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / ('db.debug.sqlite3' if DEBUG else 'db.sqlite3')}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: each app thread keeps its connection this many seconds
# (0: one per request), and checks it is alive before reusing it after a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
    )
    # Or a pool per app process (psycopg_pool) of at most this many connections, which the
    # process's threads share, instead of one kept per thread (docs/benchmarks.md measures both).
    if env.int("DJANGO_DB_POOL", default=0) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": env.int("DJANGO_DB_POOL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the cache, which also holds sessions, rate limits and the moderators' digest
# window, shared by every app process. Without it, one process's memory (one machine only).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis keeps one client per process; Django's own backend builds a new one
            # for every command, which cost a cached page half its time (docs/benchmarks.md).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="observer"),
            # A Redis that does not answer fails fast instead of holding a worker.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    # Sessions are read from Redis and written through to the database, so a
    # flushed or restarted Redis logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "observer",
        }
    }
    # Not cached_db here: a local-memory copy would go stale in a second process.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Refuses a login attempt while its username and address are locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Django's, refusing demo accounts when debug is off (incidents/security/backends.py).
    "incidents.security.backends.ModelBackend",
]

LOGIN_URL = "login"
# Observers land on their reports; others are told there where to go.
# Observers land on their reports, staff on the admin (incidents.views.after_login).
LOGIN_REDIRECT_URL = "after-login"
LOGOUT_REDIRECT_URL = "/"

# Internationalization: times are stored in UTC; each election is shown in its
# own time zone (Election.time_zone), activated by the views that show it.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no date formats for Kazakh; ours are in observer/formats/kk.
FORMAT_MODULE_PATH = ["observer.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded attachments are private: MEDIA_ROOT is never served as a public
# folder; files go out only through views that check who is asking.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default="") or BASE_DIR / "media")
MEDIA_URL = "/media/"

# Attachments on S3-compatible object storage when a bucket is named; local files otherwise.
S3_BUCKET = env.str("DJANGO_S3_BUCKET", default="")
#: a canned ACL for stored files; empty: none is sent and the bucket's own (private) rule applies
S3_DEFAULT_ACL = env.str("DJANGO_S3_DEFAULT_ACL", default="") or None
if S3_DEFAULT_ACL not in (None, "private", "bucket-owner-full-control"):
    raise ImproperlyConfigured(
        f"DJANGO_S3_DEFAULT_ACL={S3_DEFAULT_ACL!r}: attachments are private; use 'private', "
        "'bucket-owner-full-control' or leave it empty."
    )
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("DJANGO_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_S3_REGION", default="") or None,
            # Empty keys: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env.str("DJANGO_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DJANGO_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("DJANGO_S3_PREFIX", default=""),
            "addressing_style": env.str("DJANGO_S3_ADDRESSING_STYLE", default="") or None,
            # Private: never a public-read ACL; a URL, if ever made, is signed and short-lived.
            # Files still go out only through the attachment view.
            "default_acl": S3_DEFAULT_ACL,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Hashed, compressed names with debug off (run collectstatic first); served by WhiteNoise
    # with far-future cache headers.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="observer@localhost")
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The SMTP server (with debug off).
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
#: the site's public address, for links in mail (invitations, notifications)
OBSERVER_SITE_URL = env.str("OBSERVER_SITE_URL", default="http://127.0.0.1:8000")
#: invitation and password-reset links work this long
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# The REST API (docs/api.md). Every endpoint names its own permissions; the
# default refuses anyone not logged in, so a forgotten declaration fails closed.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "incidents.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSON parser, refusing bodies nested deeper than a report can be (400, not a RecursionError).
        "incidents.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "incidents.api.throttling.AnonymousClientThrottle",
        "incidents.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env.str("OBSERVER_API_ANON_RATE", default="120/minute"),
        "user": env.str("OBSERVER_API_USER_RATE", default="600/minute"),
    },
    # How many proxies in front of the app add to X-Forwarded-For; 0 trusts only the socket address.
    "NUM_PROXIES": env.int("OBSERVER_API_NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "incidents.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "incidents.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNICODE_JSON": True,
}

REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("OBSERVER_API_TOKEN_DAYS", default=90)),
    "TOKEN_LIMIT_PER_USER": env.int("OBSERVER_API_TOKENS_PER_USER", default=10),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# A token for a staff account is issued only by a coordinator in the admin, and works at most this long.
OBSERVER_STAFF_API_TOKEN_MAX_DAYS = env.int("OBSERVER_STAFF_API_TOKEN_MAX_DAYS", default=30)

SPECTACULAR_SETTINGS = {
    "TITLE": "Observer API",
    "DESCRIPTION": (
        "Election-observation incidents and official results. Public data needs no login; observers "
        "file and follow their reports, moderators move reports through the workflow. Every 4xx answer "
        "has the same shape (`Error`). See docs/api.md for examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    "ENUM_NAME_OVERRIDES": {
        "IncidentKindEnum": "incidents.models.vocabularies.IncidentKind",
        "StatusEnum": "incidents.models.vocabularies.Status",
        "VerificationEnum": "incidents.models.vocabularies.Verification",
        "DatePrecisionEnum": "incidents.models.vocabularies.DatePrecision",
        "ElectionKindEnum": "incidents.models.vocabularies.ElectionKind",
        "ResultStageEnum": "incidents.models.vocabularies.ResultStage",
        "EventActionEnum": "incidents.models.vocabularies.EventAction",
        "AttachmentKindEnum": "incidents.models.vocabularies.AttachmentKind",
        "PerpetratorEnum": "incidents.models.vocabularies.Perpetrator",
        "DeniedByEnum": "incidents.models.vocabularies.DeniedBy",
        "RegionLevelEnum": "incidents.models.vocabularies.RegionLevel",
        "ElectoralStageEnum": "incidents.models.vocabularies.ElectoralStage",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "incidents.api.schema.postprocess",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Logins, logouts, failed logins, lockouts and second-factor events (docs/security.md).
        "security": {"level": "INFO"},
        # django-axes says the same things less plainly; the security logger is the record.
        "axes": {"level": "WARNING"},
    },
}

# Security (docs/security.md).
#: the site is served over HTTPS (TLS may end at a proxy in front); on by default with debug off
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
#: behind a proxy that ends TLS: the header it sets to "https", e.g. X-Forwarded-Proto
SECURE_PROXY_SSL_HEADER_NAME = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if SECURE_PROXY_SSL_HEADER_NAME:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + SECURE_PROXY_SSL_HEADER_NAME.upper().replace("-", "_"), "https")
#: proxies in front of the app that append the client's address to X-Forwarded-For (0: none)
OBSERVER_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True


def csp_source(url):
    """The CSP source (scheme and host) of a URL or a tile URL template:
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` gives ``https://*.tile.example.org``."""
    parts = urlsplit(url)
    labels = parts.netloc.split(".")
    labels = ["*" if "{" in label else label for label in labels]
    if not parts.scheme or not parts.netloc or "*" in labels[1:]:
        raise ImproperlyConfigured(f"{url!r}: a CSP source needs a scheme and a host (a placeholder only first).")
    return f"{parts.scheme}://{'.'.join(labels)}"


# Content Security Policy (django-csp): nothing but this site's own files, no inline
# script or style. Map tiles, when a tile server is configured, are the only outside images.
csp_img_src = ["'self'", *env.list("DJANGO_CSP_IMG_SRC", default=[])]
if env.str("OBSERVER_MAP_TILE_URL", default=""):
    csp_img_src.append(csp_source(env.str("OBSERVER_MAP_TILE_URL")))
csp_directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": csp_img_src,
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    # The observers' offline app: its service worker and manifest, from this site only.
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.str("DJANGO_CSP_REPORT_URI", default=""):
    csp_directives["report-uri"] = [env.str("DJANGO_CSP_REPORT_URI")]
#: send the policy as Content-Security-Policy-Report-Only (to try a change), not enforce it
if env.bool("DJANGO_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp_directives}

# Brute-force lockout (django-axes): after this many failed logins for one username from
# one address, that pair is refused for the cool-off time (0: until unlocked by hand).
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15)) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "incidents.security.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "incidents.security.audit.client_ip"

# Second factor for staff (django-otp): TOTP apps, with single-use backup codes.
OTP_TOTP_ISSUER = env.str("OBSERVER_TOTP_ISSUER", default="Observer")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
#: backup codes given to a staff member at a time
OBSERVER_BACKUP_CODES = 10

# Task queue (Celery on Redis): mail leaves the request path. Without a broker, tasks run
# at once in the process that queues them (one machine, and the test suite).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is taken off the queue only when done: a worker killed mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# For `celery -A observer beat`: the moderators' digest every minute (instead of cron).
CELERY_BEAT_SCHEDULE = {
    "moderator-digest": {"task": "incidents.send_moderator_digest", "schedule": 60.0},
    # claims untouched for OBSERVER_CLAIM_MINUTES go back to the queue (or cron: manage.py release_expired_claims)
    "release-expired-claims": {"task": "incidents.release_expired_claims", "schedule": 60.0},
}

# Observer's own settings.
#: a report may be dated this far in the future (clocks on phones drift)
OBSERVER_FUTURE_TOLERANCE_MINUTES = env.int("OBSERVER_FUTURE_TOLERANCE_MINUTES", default=15)
#: a report may not be dated more than this many days before election day
OBSERVER_DAYS_BEFORE_ELECTION = env.int("OBSERVER_DAYS_BEFORE_ELECTION", default=120)
#: new reports one observer may file per minute (0: no limit)
OBSERVER_SUBMISSIONS_PER_MINUTE = env.int("OBSERVER_SUBMISSIONS_PER_MINUTE", default=10)
#: one attached file may be at most this many bytes
OBSERVER_ATTACHMENT_MAX_BYTES = env.int("OBSERVER_ATTACHMENT_MAX_BYTES", default=50 * 1024 * 1024)
#: the files of one report may take at most this many bytes in all
OBSERVER_ATTACHMENTS_MAX_BYTES = env.int("OBSERVER_ATTACHMENTS_MAX_BYTES", default=200 * 1024 * 1024)
#: one report may have at most this many files
OBSERVER_ATTACHMENTS_PER_REPORT = env.int("OBSERVER_ATTACHMENTS_PER_REPORT", default=10)
#: a photo may have at most this many pixels (larger ones are refused before decoding)
OBSERVER_IMAGE_MAX_PIXELS = env.int("OBSERVER_IMAGE_MAX_PIXELS", default=40_000_000)
#: largest import file (CSV or XLSX) a coordinator may upload or a command may read, in megabytes
OBSERVER_IMPORT_MAX_MB = env.int("OBSERVER_IMPORT_MAX_MB", default=50)
#: party votes of an imported result may differ from its valid votes by this percentage (0: must be equal)
OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT = env.str("OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT", default="0")
#: where an uploaded import file waits between preview and confirm; never served.
#: Empty: a folder "imports" inside MEDIA_ROOT. Several app servers must share it.
OBSERVER_IMPORT_ROOT = env.str("OBSERVER_IMPORT_ROOT", default="")
#: likely duplicates are looked for this many hours either side of a report's time
OBSERVER_DUPLICATE_WINDOW_HOURS = env.int("OBSERVER_DUPLICATE_WINDOW_HOURS", default=6)
#: moderators get at most one mail about new reports per this many minutes (0: one per report)
OBSERVER_MODERATOR_DIGEST_MINUTES = env.int("OBSERVER_MODERATOR_DIGEST_MINUTES", default=10)
#: where that mail goes; empty: every active moderator with an e-mail address
OBSERVER_MODERATOR_DIGEST_TO = env.list("OBSERVER_MODERATOR_DIGEST_TO", default=[])
#: a claim untouched for this many minutes returns to the queue by itself
OBSERVER_CLAIM_MINUTES = env.int("OBSERVER_CLAIM_MINUTES", default=30)
#: the language of mail to observers and moderators
OBSERVER_MAIL_LANGUAGE = env.str("OBSERVER_MAIL_LANGUAGE", default=LANGUAGE_CODE)
#: public pages are cached this many seconds at most (a publish or retraction clears them at once)
OBSERVER_PUBLIC_CACHE_SECONDS = env.int("OBSERVER_PUBLIC_CACHE_SECONDS", default=300)
#: parts many public pages share (incident cards, incident counts, the PVT box, a region's blockages,
#: the overview's regions) are cached this many seconds at most, whatever the page cache does (a publish
#: or retraction clears them at once; 0: not cached)
OBSERVER_PUBLIC_PARTS_SECONDS = env.int("OBSERVER_PUBLIC_PARTS_SECONDS", default=3600)
#: public pages one app process builds from the database at once (pages from the cache do not count)
OBSERVER_PUBLIC_BUILDS_PER_PROCESS = env.int("OBSERVER_PUBLIC_BUILDS_PER_PROCESS", default=2)
#: public pages one client address may have built from the database a minute (0: no limit)
OBSERVER_PUBLIC_BUILDS_PER_CLIENT = env.int("OBSERVER_PUBLIC_BUILDS_PER_CLIENT", default=120)
#: map tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png; none by default: the map draws without tiles
OBSERVER_MAP_TILE_URL = env.str("OBSERVER_MAP_TILE_URL", default="")
# SMS reports (docs/sms.md). A gateway with no secret refuses every request.
#: the country of phone numbers written without their country code (ISO 3166-1, e.g. KZ)
OBSERVER_PHONE_REGION = env.str("OBSERVER_PHONE_REGION", default="KZ")
#: the shared secret of the generic JSON webhook (HMAC-SHA256 of the body)
OBSERVER_SMS_GENERIC_SECRET = env.str("OBSERVER_SMS_GENERIC_SECRET", default="")
if not OBSERVER_SMS_GENERIC_SECRET and DEBUG:
    # Only for a laptop in debug mode, so that the demo's manage.py sms_send works as it is.
    OBSERVER_SMS_GENERIC_SECRET = "insecure-development-sms-secret"
#: Twilio's auth token (X-Twilio-Signature) and the webhook URL as configured at Twilio (empty: as requested)
OBSERVER_SMS_TWILIO_AUTH_TOKEN = env.str("OBSERVER_SMS_TWILIO_AUTH_TOKEN", default="")
OBSERVER_SMS_TWILIO_URL = env.str("OBSERVER_SMS_TWILIO_URL", default="")
#: the same text from the same number within this many hours is the same report
OBSERVER_SMS_SAME_REPORT_HOURS = env.int("OBSERVER_SMS_SAME_REPORT_HOURS", default=12)
#: wrong PINs in a row before a phone is paused, and for how many minutes
OBSERVER_SMS_PIN_ATTEMPTS = env.int("OBSERVER_SMS_PIN_ATTEMPTS", default=5)
OBSERVER_SMS_LOCK_MINUTES = env.int("OBSERVER_SMS_LOCK_MINUTES", default=60)
#: the attribution the tile provider asks for, shown on the map
OBSERVER_MAP_TILE_ATTRIBUTION = env.str("OBSERVER_MAP_TILE_ATTRIBUTION", default="")

# OONI measurements (docs/blockages.md). Empty: `manage.py fetch_ooni` is off and only files are imported.
# Set to https://api.ooni.io to let the command (or its Celery task) ask OONI's public API; never in a request.
OBSERVER_OONI_API_URL = env.str("OBSERVER_OONI_API_URL", default="")
# Hours either side of a blockage's window in which its moderation page looks for measurements.
OBSERVER_OONI_WINDOW_MARGIN_HOURS = env.int("OBSERVER_OONI_WINDOW_MARGIN_HOURS", default=3)
#: the private key (PEM, EC P-256) that opens outbox files carried from phones; made by
#: ``manage.py outbox_keygen``. Empty: phones cannot save a carried file (docs/observers.md).
OBSERVER_OUTBOX_PRIVATE_KEY = env.str("OBSERVER_OUTBOX_PRIVATE_KEY", multiline=True, default="")
#: photos kept on the phone are scaled down to this many pixels on their long side (observers may change it)
OBSERVER_OFFLINE_PHOTO_MAX_PX = env.int("OBSERVER_OFFLINE_PHOTO_MAX_PX", default=1600)
