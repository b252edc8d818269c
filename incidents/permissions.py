"""Who may do what. Views, the admin and the API ask here; nothing else decides."""

import copy
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Observer, Status
from .workflow import EDITABLE_STATUSES, TRANSITIONS, Move, Role, routes_from

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


def passed_second_factor(user):
    """Whether ``user`` entered a second-factor code in this session.

    django-otp's middleware gives every request's user ``is_verified``; a user
    without it never passed one. The admin site lets in only staff who did.
    """
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def staff_powers_unlocked(user):
    """Staff powers over a web request need the second factor; a user loaded
    elsewhere (a management command, a task, a service's argument) is no
    request's user and has no ``is_verified`` to ask."""
    return not hasattr(user, "is_verified") or passed_second_factor(user)


def is_moderator(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm(MODERATE_PERMISSION)
        and staff_powers_unlocked(user)
    )


def is_coordinator(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm(REASSIGN_PERMISSION)
        and staff_powers_unlocked(user)
    )


VERIFY_COPIES_PERMISSION = "incidents.verify_protocolcopy"


def can_verify_copies(user):
    """Moderators and coordinators verify protocol copies, ask about them and settle conflicts."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm(VERIFY_COPIES_PERMISSION)
        and staff_powers_unlocked(user)
    )


def needs_second_factor(user):
    """Staff accounts log in with a password and a code; observers with a password."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def can_reset_second_factor(actor, user):
    """Superusers, and coordinators for the accounts they manage, reset a lost second factor."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and staff_powers_unlocked(actor)):
        return False
    if actor.is_superuser:
        return True
    return not user.is_superuser and actor.has_perm("auth.change_user")


def can_reassign(user):
    """Coordinators hand claimed incidents from one moderator to another."""
    return is_coordinator(user)


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


@dataclass(frozen=True)
class MoveChoice:
    """A status a moderator can take an incident to now, and the moves on the way."""

    to_status: Status
    route: tuple  # statuses, the last one ``to_status``
    moves: tuple  # the Move of each step


def available_moves(user, incident):
    """What ``user`` may do with ``incident`` now, as MoveChoices in workflow order.

    Each move of a route is checked as the service will check it, on the
    incident as it will be by then (a claim makes the user the assignee).
    """
    if not is_moderator(user):
        return []
    choices = []
    for to_status, route in routes_from(incident.status).items():
        state = copy.copy(incident)
        moves = []
        for step in route:
            move = TRANSITIONS[(state.status, step)]
            if move_refusal(user, state, move):
                break
            moves.append(move)
            if step == Status.IN_REVIEW:
                state.assignee_id = user.pk
            state.status = step
        else:
            choices.append(MoveChoice(Status(to_status), tuple(route), tuple(moves)))
    return choices


def can_view_attachment(user, attachment):
    """Staff and the reporter see every file of a report; the public only
    files a moderator made public, of a published incident."""
    incident = attachment.incident
    if can_view(user, incident):
        return True
    return attachment.is_public and incident.status == Status.PUBLISHED
