"""Every write. Each service runs in one transaction and records an IncidentEvent.

Split by concern and re-exported here, so callers write
``services.incident_submit(...)``.
"""

from .accounts import api_token_issue, api_token_revoke, invitation_link, observer_enrol, observer_invite
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
    refuse_personal_data,
    validate_place_and_time,
)
from .moderation import (
    BulkOutcome,
    attachment_set_public,
    error_message,
    incident_advance,
    incident_mark_duplicate,
    incident_reassign,
    incidents_bulk_advance,
)

__all__ = [
    "MODERATOR_EDITABLE_FIELDS",
    "REPORTER_EDITABLE_FIELDS",
    "BulkOutcome",
    "IdempotencyConflict",
    "IncidentChanged",
    "PreparedAttachment",
    "Submission",
    "SubmissionRateLimited",
    "TransitionForbidden",
    "TransitionNotAllowed",
    "WorkflowError",
    "api_token_issue",
    "api_token_revoke",
    "attachment_add",
    "attachment_set_public",
    "attachments_add",
    "attachments_prepare",
    "build_detail",
    "error_message",
    "incident_advance",
    "incident_edit",
    "incident_edit_with_attachments",
    "incident_mark_duplicate",
    "incident_reassign",
    "incident_submit",
    "incident_submit_with_attachments",
    "incident_transition",
    "incidents_bulk_advance",
    "invitation_link",
    "observer_enrol",
    "observer_invite",
    "record_event",
    "refuse_personal_data",
    "validate_place_and_time",
]
