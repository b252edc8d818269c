"""Who may do what. Views, the admin and the API ask here; nothing else decides."""

from django.utils.translation import gettext_lazy as _

from .models import Observer, Status
from .workflow import EDITABLE_STATUSES, Move, Role

MODERATE_PERMISSION = "incidents.moderate_incident"
REASSIGN_PERMISSION = "incidents.reassign_incident"


def observer_of(user):
    """The user's Observer profile, or None (anonymous, inactive, or not an observer)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.observer_profile
    except Observer.DoesNotExist:
        return None


def can_file(user):
    return observer_of(user) is not None


def is_moderator(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(MODERATE_PERMISSION))


def is_coordinator(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(REASSIGN_PERMISSION))


def is_reporter(user, incident):
    observer = observer_of(user)
    return observer is not None and incident.reporter_id == observer.pk


def can_view(user, incident):
    """Staff who moderate see every incident; an observer sees only their own."""
    return is_moderator(user) or is_reporter(user, incident)


def can_edit_report(user, incident):
    """The observer may change their own report while it waits for a moderator."""
    return is_reporter(user, incident) and incident.status in EDITABLE_STATUSES


def can_attach(user, incident):
    """Files are added by moderators, or by the reporter while the report is editable."""
    return is_moderator(user) or can_edit_report(user, incident)


def move_refusal(user, incident, move: Move):
    """Why ``user`` may not make ``move`` on ``incident`` now, or None if they may."""
    if move.role is Role.REPORTER:
        if not is_reporter(user, incident):
            return _("Only the observer who filed this report can do this.")
        return None
    if not is_moderator(user):
        return _("Only moderators can do this.")
    if move.claim_required and incident.assignee_id != user.pk and not is_coordinator(user):
        if incident.assignee_id is None:
            return _("Claim this incident first.")
        return _("This incident is claimed by another moderator.")
    return None


def can_view_attachment(user, attachment):
    """Staff and the reporter see every file of a report; the public only
    files a moderator made public, of a published incident."""
    incident = attachment.incident
    if can_view(user, incident):
        return True
    return attachment.is_public and incident.status == Status.PUBLISHED
