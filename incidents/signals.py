"""Signals the services send once a change is committed.

Receivers (notifications, cache invalidation) run only after the transaction
that made the change has committed, so a rolled-back change sends nothing.
"""

from django.dispatch import Signal

#: sent after commit with ``incident``, ``action`` (an EventAction) and ``actor``
incident_changed = Signal()

#: sent by a bulk write that sends no model signals (an import), after it commits
reference_data_changed = Signal()
