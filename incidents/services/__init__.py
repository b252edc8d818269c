"""Every write. Each service runs in one transaction and records an IncidentEvent.

Split by concern and re-exported here, so callers write
``services.incident_submit(...)``.
"""

from .accounts import invitation_link, observer_enrol, observer_invite
from .attachments import (
    PreparedAttachment,
    attachment_add,
    attachments_add,
    attachments_prepare,
    incident_edit_with_attachments,
    incident_submit_with_attachments,
)
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
    "PreparedAttachment",
    "Submission",
    "SubmissionRateLimited",
    "TransitionForbidden",
    "TransitionNotAllowed",
    "WorkflowError",
    "attachment_add",
    "attachments_add",
    "attachments_prepare",
    "build_detail",
    "incident_edit",
    "incident_edit_with_attachments",
    "incident_submit",
    "incident_submit_with_attachments",
    "incident_transition",
    "invitation_link",
    "observer_enrol",
    "observer_invite",
    "record_event",
    "validate_place_and_time",
]
