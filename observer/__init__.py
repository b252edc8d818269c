# The Celery application is loaded with Django, so that tasks queued by the app
# processes use its settings (broker, or running at once without one).
from .celery import app as celery_app

__all__ = ["celery_app"]
