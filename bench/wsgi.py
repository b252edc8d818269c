"""WSGI entry of the benchmark's app servers (``bench.settings``)."""

import os

from django.core.wsgi import get_wsgi_application

from observer.checks import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

application = get_wsgi_application()
require_secret_key()
