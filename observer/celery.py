"""The Celery application: workers run ``celery -A observer worker``, the
scheduler ``celery -A observer beat`` (docs/deploy.md).

Settings come from Django's, those named ``CELERY_*``. Without
CELERY_BROKER_URL every task runs at once where it is queued.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")

app = Celery("observer")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
