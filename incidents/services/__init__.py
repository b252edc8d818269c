"""Every write. Each service runs in one transaction and records an IncidentEvent.

Split by concern and re-exported here, so callers write
``services.incident_submit(...)``.
"""

from .accounts import invitation_link, observer_invite
from .incidents import (
    MODERATOR_EDITABLE_FIELDS,
    REPORTER_EDITABLE_FIELDS,
    IdempotencyConflict,
    IncidentChanged,
    Submission,
    SubmissionRateLimited,
    TransitionForbidden,
    TransitionNotAllowed,
    WorkflowError,
    build_detail,
    incident_edit,
    incident_submit,
    incident_transition,
    record_event,
    validate_place_and_time,
)

__all__ = [
    "MODERATOR_EDITABLE_FIELDS",
    "REPORTER_EDITABLE_FIELDS",
    "IdempotencyConflict",
    "IncidentChanged",
    "Submission",
    "SubmissionRateLimited",
    "TransitionForbidden",
    "TransitionNotAllowed",
    "WorkflowError",
    "build_detail",
    "incident_edit",
    "incident_submit",
    "incident_transition",
    "invitation_link",
    "observer_invite",
    "record_event",
    "validate_place_and_time",
]
