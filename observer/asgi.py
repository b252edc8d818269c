"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from observer.checks import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")

application = get_asgi_application()
require_secret_key()
