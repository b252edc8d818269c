"""Settings for Observer, read from the environment.

Every value that differs between a laptop and a deployment comes from a
``DJANGO_*`` variable (or ``DATABASE_URL`` / ``REDIS_URL``). A ``.env`` file in
the project folder is read when present; ``.env.example`` lists every variable.
The defaults are safe: debug is off unless asked for, and then a secret key
must be given.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Observer refuses to start without a secret "
            "key when DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a long random "
            "string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    # Only for a laptop in debug mode; never used when debug is off.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="observer"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "observer",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded attachments are private: MEDIA_ROOT is never served as a public
# folder; files go out only through views that check who is asking.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default="") or BASE_DIR / "media")
MEDIA_URL = "/media/"

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="observer@localhost")
#: the site's public address, for links in mail (invitations, notifications)
OBSERVER_SITE_URL = env.str("OBSERVER_SITE_URL", default="http://127.0.0.1:8000")
#: invitation and password-reset links work this long
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# The REST API (docs/api.md). Every endpoint names its own permissions; the
# default refuses anyone not logged in, so a forgotten declaration fails closed.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
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
    "TOKEN_TTL": datetime.timedelta(days=env.int("OBSERVER_API_TOKEN_DAYS", default=90)),
    "TOKEN_LIMIT_PER_USER": env.int("OBSERVER_API_TOKENS_PER_USER", default=10),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
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
OBSERVER_IMAGE_MAX_PIXELS = env.int("OBSERVER_IMAGE_MAX_PIXELS", default=60_000_000)
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
#: the language of mail to observers and moderators
OBSERVER_MAIL_LANGUAGE = env.str("OBSERVER_MAIL_LANGUAGE", default=LANGUAGE_CODE)
#: public pages are cached this many seconds at most (a publish or retraction clears them at once)
OBSERVER_PUBLIC_CACHE_SECONDS = env.int("OBSERVER_PUBLIC_CACHE_SECONDS", default=300)
#: map tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png; none by default: the map draws without tiles
OBSERVER_MAP_TILE_URL = env.str("OBSERVER_MAP_TILE_URL", default="")
#: the attribution the tile provider asks for, shown on the map
OBSERVER_MAP_TILE_ATTRIBUTION = env.str("OBSERVER_MAP_TILE_ATTRIBUTION", default="")
