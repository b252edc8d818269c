"""What the site refuses to start without.

With debug off a secret key is required. The settings leave it empty when
DJANGO_SECRET_KEY is not set, so that commands that sign nothing
(makemigrations, compilemessages) still run; every way of serving the site
stops here instead: the WSGI and ASGI entry points (gunicorn, and runserver,
which loads the WSGI application) and ``manage.py check --deploy``. Anything
else that would sign with an empty key meets Django's own refusal.
"""

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = (
    "DJANGO_SECRET_KEY is not set. Observer refuses to start without a secret "
    "key when DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a long random "
    "string (for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
)


def secret_key_missing():
    try:
        return not settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        return True


def require_secret_key():
    """Raise ImproperlyConfigured, saying what to do, when there is no secret key."""
    if secret_key_missing():
        raise ImproperlyConfigured(MISSING_SECRET_KEY)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    return [checks.Error(MISSING_SECRET_KEY, id="observer.E001")] if secret_key_missing() else []


PER_PROCESS_CACHE = "django.core.cache.backends.locmem.LocMemCache"


def app_processes():
    """The app processes gunicorn starts, as WEB_CONCURRENCY (gunicorn's own variable) says; 1 if unset."""
    value = os.environ.get("WEB_CONCURRENCY", "1")
    return int(value) if value.isdigit() else 1


@checks.register(checks.Tags.caches, deploy=True)
def check_cache_is_shared(app_configs, **kwargs):
    """The public page cache and its clearing are per process with the local-memory cache: a page
    withdrawn in one process stays visible in the others until it expires."""
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] != PER_PROCESS_CACHE:
        return []
    if app_processes() > 1:
        return [
            checks.Error(
                "Several app processes (WEB_CONCURRENCY) with the local-memory cache: a retracted incident "
                "would stay visible in the other processes.",
                hint="Set REDIS_URL, or run one process.",
                id="observer.E002",
            )
        ]
    return [
        checks.Warning(
            "The cache is local memory, kept per process: run one app process only, or set REDIS_URL.",
            id="observer.W002",
        )
    ]
