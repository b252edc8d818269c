"""Celery tasks defined elsewhere, named here so that ``app.autodiscover_tasks()`` registers them."""

from .imports.ooni import fetch_ooni_task

__all__ = ["fetch_ooni_task"]
