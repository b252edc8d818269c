"""Moderation in the admin: ``incident`` (the queue and the incident page), ``panel`` (the
moderation panel, its buttons and the dashboard), ``filters`` (the queue's filters), ``forms``,
``inlines`` (details, history, the audit log and the files), ``history`` (the history as
sentences, times in the election's zone), ``scopes`` (the moderators' regions)."""

from . import incident, inlines, scopes  # noqa: F401  (registers the admin pages)
