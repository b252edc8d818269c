"""WSGI entry point, for gunicorn and other WSGI servers."""

import os

from django.core.wsgi import get_wsgi_application

from observer.checks import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")

application = get_wsgi_application()
require_secret_key()
