"""What moderators do beyond a single move: several moves at once, bulk
moves, reassigning, marking duplicates and making attachments public.

Every status change still goes through ``incident_transition``, one move at
a time, so that each is checked and recorded on its own.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, workflow
from ..models import Attachment, EventAction, Incident, Status
from .incidents import (
    TransitionForbidden,
    TransitionNotAllowed,
    WorkflowError,
    check_version,
    incident_transition,
    lock_incident,
    record_event,
    save_new_version,
)


def incident_advance(
    *,
    incident: Incident,
    to_status: str,
    actor,
    expected_version: int | None = None,
    comment: str = "",
    verification: str | None = None,
    public_summary: str | None = None,
    duplicate_of: Incident | None = None,
) -> Incident:
    """Take ``incident`` to ``to_status`` by the moderator's route of moves
    (``workflow.route``): a submitted report is claimed on the way to
    verified, and verified on the way to published.

    All the moves happen in one transaction, each through
    ``incident_transition`` with its own checks and event, or none does.
    ``comment`` goes with the last move (and with any move that needs a
    reason), ``verification`` with the verify move, ``public_summary`` with
    the publish move. Raises what ``incident_transition`` raises.
    """
    with transaction.atomic():
        locked = lock_incident(incident, expected_version)
        steps = workflow.route(locked.status, to_status) or [to_status]
        for step in steps:
            move = workflow.TRANSITIONS.get((locked.status, step))
            locked = incident_transition(
                incident=locked,
                to_status=step,
                actor=actor,
                comment=comment if step == to_status or (move and move.reason_required) else "",
                verification=verification if step == Status.VERIFIED else None,
                public_summary=public_summary if step == Status.PUBLISHED else None,
                duplicate_of=duplicate_of if step == to_status else None,
            )
    return locked


@dataclass
class BulkOutcome:
    """What a bulk move did: the incidents that moved, and why the others did not."""

    moved: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (incident, message)

    def refusals_by_reason(self):
        """``{message: [reference, ...]}``, for a short report."""
        grouped = {}
        for incident, message in self.refused:
            grouped.setdefault(message, []).append(incident.reference)
        return grouped


def error_message(error):
    """The user-facing text of a refusal raised by a service."""
    if isinstance(error, WorkflowError):
        return error.message
    return " ".join(error.messages)


def incidents_bulk_advance(
    *, incidents, to_status: str, actor, comment: str = "", verification: str | None = None
) -> BulkOutcome:
    """Call ``incident_advance`` for each incident, each in its own transaction.

    One refusal does not stop the others. Publishing uses each incident's
    own public summary.
    """
    outcome = BulkOutcome()
    for incident in incidents:
        try:
            moved = incident_advance(
                incident=incident, to_status=to_status, actor=actor, comment=comment, verification=verification
            )
        except (WorkflowError, ValidationError) as error:
            outcome.refused.append((incident, error_message(error)))
        else:
            outcome.moved.append(moved)
    return outcome


# Claims that end without their holder ------------------------------------------------------------------------------


def _end_claim(locked, *, action, actor, comment=""):
    """End ``locked``'s claim by the move ``workflow.CLAIM_ENDINGS[action]``: checked, recorded, the holder
    told after commit (``notifications``). What the holder wrote on the report (its public summary,
    its edits) stays on it; only the claim goes."""
    from_status, to_status, move = workflow.CLAIM_ENDINGS[action]
    comment = (comment or "").strip()
    if locked.status != from_status or locked.assignee_id is None:
        raise TransitionNotAllowed(_("%(reference)s is not claimed.") % {"reference": locked.reference})
    refusal = permissions.move_refusal(actor, locked, move)
    if refusal:
        raise TransitionForbidden(str(refusal))
    if move.reason_required and not comment:
        raise ValidationError({"comment": _("Give a reason: it is recorded with this step.")})
    changes = {"assignee": [locked.assignee_id, None]}
    if locked.claimed_at is not None:
        changes["claimed_at"] = [locked.claimed_at.isoformat(), None]
    locked.status = to_status
    locked.assignee = None
    locked.claimed_at = None
    save_new_version(locked, "status", "assignee", "claimed_at")
    record_event(
        incident=locked,
        action=move.action,
        actor=actor,
        comment=comment,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
        visible_to_observer=move.visible_to_observer,
    )
    return locked


def incident_claim_break(*, incident: Incident, actor, comment: str, expected_version: int | None = None):
    """A coordinator takes a report back from the moderator who holds it, giving a reason.

    Raises TransitionForbidden (not a coordinator, or out of their regions), TransitionNotAllowed (not
    claimed), ValidationError (no reason) or IncidentChanged; writes nothing then.
    """
    with transaction.atomic():
        locked = lock_incident(incident, expected_version)
        return _end_claim(locked, action=EventAction.CLAIM_BROKEN, actor=actor, comment=comment)


def claim_is_expired(incident, now):
    limit = now - datetime.timedelta(minutes=settings.OBSERVER_CLAIM_MINUTES)
    return incident.status == Status.IN_REVIEW and incident.assignee_id is not None and incident.updated_at < limit


def incident_claim_expire(*, incident: Incident, now=None):
    """Return a report whose claim nobody touched for OBSERVER_CLAIM_MINUTES to the queue, by the system.

    Checked again under the row lock: a report touched meanwhile keeps its claim (returns None).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_incident(incident)
        if not claim_is_expired(locked, now):
            return None
        return _end_claim(
            locked,
            action=EventAction.CLAIM_EXPIRED,
            actor=None,
            comment=_("Untouched for %(minutes)d minutes.") % {"minutes": settings.OBSERVER_CLAIM_MINUTES},
        )


def release_expired_claims(*, now=None):
    """Every expired claim back to the queue, each in its own transaction. Returns how many were released."""
    from .. import selectors

    now = now or timezone.now()
    released = 0
    for incident in selectors.expired_claims(now=now):
        if incident_claim_expire(incident=incident, now=now) is not None:
            released += 1
    return released


def incident_reassign(*, incident: Incident, assignee, actor, expected_version: int | None = None, comment: str = ""):
    """Hand a claimed incident to another moderator. Coordinators only.

    Raises TransitionForbidden (not a coordinator), ValidationError (the
    incident is not claimed, or ``assignee`` cannot moderate) or
    IncidentChanged. Giving it to its current assignee changes nothing.
    """
    if not permissions.can_reassign(actor):
        raise TransitionForbidden(_("Only coordinators can reassign incidents."))
    if not permissions.is_moderator(assignee):
        raise ValidationError({"assignee": _("%(user)s cannot moderate.") % {"user": assignee.get_username()}})
    with transaction.atomic():
        locked = lock_incident(incident, expected_version)
        if not permissions.in_scope(actor, locked):
            raise TransitionForbidden(_("This report is outside your regions."))
        if not permissions.in_scope(assignee, locked):
            raise ValidationError(
                {"assignee": _("%(user)s does not moderate this region.") % {"user": assignee.get_username()}}
            )
        if locked.status not in workflow.ASSIGNED_STATUSES:
            raise ValidationError(_("Only an incident that someone is working on can be reassigned."))
        if locked.assignee_id == assignee.pk:
            return locked
        changes = {"assignee": [locked.assignee_id, assignee.pk]}
        locked.assignee = assignee
        locked.claimed_at = timezone.now()
        save_new_version(locked, "assignee", "claimed_at")
        record_event(
            incident=locked, action=EventAction.REASSIGNED, actor=actor, comment=comment.strip(), changes=changes
        )
    return locked


def incident_mark_duplicate(
    *, incident: Incident, primary: Incident, actor, comment: str = "", expected_version: int | None = None
):
    """Reject ``incident`` as a duplicate of ``primary`` and record it on both.

    The duplicate is rejected through ``incident_advance`` (claimed first if
    it was still submitted), with ``duplicate_of`` set; the primary gets a
    "marked as duplicate" event of its own, and its count of corroborating
    reports is its number of duplicates. A primary must be of the same
    election, not itself a duplicate, not rejected or retracted; a report
    that others duplicate cannot become a duplicate. Returns the duplicate.
    """
    if primary.pk == incident.pk:
        raise ValidationError({"duplicate_of": _("A report cannot be a duplicate of itself.")})
    with transaction.atomic():
        # Both rows, always in the same order, so that two moderators linking
        # the same pair in opposite directions wait for each other instead of deadlocking.
        pair = Incident.objects.select_for_update().filter(pk__in=[incident.pk, primary.pk]).order_by("pk")
        rows = {row.pk: row for row in pair}
        locked, locked_primary = rows[incident.pk], rows[primary.pk]
        check_version(locked, expected_version)
        if not permissions.in_scope(actor, locked_primary):
            raise ValidationError({"duplicate_of": _("There is no report with this reference.")})
        _check_primary(locked, locked_primary)
        reason = comment.strip() or _("Duplicate of %(reference)s.") % {"reference": locked_primary.reference}
        locked = incident_advance(
            incident=locked, to_status=Status.REJECTED, actor=actor, comment=reason, duplicate_of=locked_primary
        )
        save_new_version(locked_primary)
        record_event(
            incident=locked_primary,
            action=EventAction.MERGED,
            actor=actor,
            comment=_("%(reference)s reports the same event.") % {"reference": locked.reference},
            changes={"duplicates": [None, locked.reference]},
        )
    return locked


def _check_primary(duplicate, primary):
    if primary.election_id != duplicate.election_id:
        raise ValidationError({"duplicate_of": _("%(reference)s is a report of another election.") % _refs(primary)})
    if primary.duplicate_of_id is not None:
        root = Incident.objects.only("reference").get(pk=primary.duplicate_of_id)
        raise ValidationError(
            {
                "duplicate_of": _(
                    "%(reference)s is itself a duplicate of %(root)s: mark this report a duplicate of %(root)s."
                )
                % {"reference": primary.reference, "root": root.reference}
            }
        )
    if primary.status in (Status.REJECTED, Status.RETRACTED):
        raise ValidationError(
            {
                "duplicate_of": _("%(reference)s is %(status)s and cannot collect duplicates.")
                % {"reference": primary.reference, "status": primary.get_status_display().lower()}
            }
        )
    if duplicate.duplicates.exists():
        raise ValidationError(
            {
                "duplicate_of": _(
                    "Other reports are marked as duplicates of %(reference)s, so it cannot become a duplicate itself."
                )
                % _refs(duplicate)
            }
        )


def _refs(incident):
    return {"reference": incident.reference}


def attachment_set_public(*, attachment: Attachment, is_public: bool, actor, expected_version: int | None = None):
    """Show or hide one attachment on the public page (once the incident is
    published), recorded as an edit of its incident. Moderators only.
    Setting what is already set changes nothing."""
    if not permissions.can_moderate(actor, attachment.incident):
        raise TransitionForbidden(_("Only moderators can make attachments public."))
    with transaction.atomic():
        locked = lock_incident(attachment.incident, expected_version)
        locked_attachment = Attachment.objects.select_for_update().get(pk=attachment.pk, incident=locked)
        if locked_attachment.is_public == is_public:
            return locked_attachment
        locked_attachment.is_public = is_public
        locked_attachment.save(update_fields=["is_public"])
        save_new_version(locked)
        record_event(
            incident=locked,
            action=EventAction.EDITED,
            actor=actor,
            changes={f"attachment {locked_attachment.pk} public": [not is_public, is_public]},
        )
    return locked_attachment
