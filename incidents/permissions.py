"""Who may do what. Views, the admin and the API ask here; nothing else decides."""

import copy
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from .models import EventAction, IncidentEvent, IncidentKind, ModeratorScope, Observer, Region, Status
from .workflow import EDITABLE_STATUSES, TRANSITIONS, Guard, Move, Role, routes_from

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


def is_staff_account(user):
    """Accounts whose powers need the second factor: staff status, or superuser."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def can_issue_staff_token(actor, user):
    """A coordinator (or superuser) who passed their own second factor in this session, for an
    account within their reach in the user admin (``admin.accounts.users_within``)."""
    from .admin.accounts import users_within

    if not (getattr(actor, "is_authenticated", False) and actor.is_active and passed_second_factor(actor)):
        return False
    if not (actor.is_superuser or actor.has_perm("knox.add_authtoken")):
        return False
    return users_within(actor).filter(pk=user.pk).exists()


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


# Moderators by region ---------------------------------------------------------------------------------------------

_SCOPE_CACHE = "_observer_moderation_scope"


def moderation_scope(user):
    """The regions whose reports ``user`` moderates: None for every report, else a frozenset of
    region ids (each region given to them with all its sub-regions; empty for someone who does
    not moderate).

    Coordinators moderate everything, and so does a moderator to whom no region was given.
    A report with no region is in no set: only those with None see it. This is the one
    definition; the selectors, the admin, the digests and the API all ask here. Two queries
    at most, once per user object (a request's user).
    """
    if not is_moderator(user):
        return frozenset()
    if is_coordinator(user):
        return None
    if hasattr(user, _SCOPE_CACHE):
        return getattr(user, _SCOPE_CACHE)
    given = set(ModeratorScope.objects.filter(user=user).values_list("regions", flat=True)) - {None}
    scope = None
    if given:
        children = {}
        for pk, parent_id in Region.objects.order_by().values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), list(given)
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, ()))
        scope = frozenset(found)
    setattr(user, _SCOPE_CACHE, scope)
    return scope


def forget_scope(user):
    """Drop the scope kept on ``user`` (after a coordinator changed it)."""
    if hasattr(user, _SCOPE_CACHE):
        delattr(user, _SCOPE_CACHE)


def in_scope(user, incident):
    """Whether ``incident`` is among the reports ``user`` moderates."""
    scope = moderation_scope(user)
    return scope is None or incident.region_id in scope


def within_scope(user, queryset, region_field="region"):
    """``queryset`` (of incidents, or of rows reaching one through ``region_field``) cut to ``user``'s scope."""
    scope = moderation_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{region_field}__in": scope})


def can_moderate(user, incident):
    """A moderator whose regions hold ``incident``."""
    return is_moderator(user) and in_scope(user, incident)


# Two people for the riskiest publication -----------------------------------------------------------------------------


def names_detained_people(incident):
    """A detention whose report names detained people (the private names field is filled)."""
    if incident.kind != IncidentKind.DETENTION:
        return False
    try:
        return bool(incident.detention.detained_names.strip())
    except ObjectDoesNotExist:
        return False


def guard_holds(guard, incident):
    """Whether the condition ``guard`` (``workflow.Guard``) holds for ``incident``."""
    if guard is Guard.TWO_PEOPLE:
        return bool(incident.needs_second_approval) or names_detained_people(incident)
    raise ValueError(guard)


def verifier_id(incident):
    """The user who last verified ``incident`` (the first of the two people), or None."""
    if hasattr(incident, "verified_by_id"):
        return incident.verified_by_id
    return (
        IncidentEvent.objects.filter(incident_id=incident.pk, action=EventAction.VERIFIED)
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def can_reassign(user):
    """Coordinators hand claimed incidents from one moderator to another."""
    return is_coordinator(user)


def is_reporter(user, incident):
    observer = observer_of(user)
    return observer is not None and incident.reporter_id == observer.pk


def can_view(user, incident):
    """Moderators see the incidents of their regions; an observer sees only their own."""
    return can_moderate(user, incident) or is_reporter(user, incident)


def can_edit_report(user, incident):
    """The observer may change their own report while it waits for a moderator."""
    return is_reporter(user, incident) and incident.status in EDITABLE_STATUSES


def can_attach(user, incident):
    """Files are added by moderators, or by the reporter while the report is editable."""
    return can_moderate(user, incident) or can_edit_report(user, incident)


def move_refusal(user, incident, move: Move):
    """Why ``user`` may not make ``move`` on ``incident`` now, or None if they may.

    ``user`` is None for the system's own moves (an expired claim)."""
    if move.only_if is not None and not guard_holds(move.only_if, incident):
        return _("This step is only for reports that need two moderators.")
    if move.unless is not None and guard_holds(move.unless, incident):
        return _("This report needs a second moderator's approval before it is published.")
    if move.role is Role.SYSTEM:
        return None if user is None else _("Only the system does this.")
    if user is None:
        return _("Only moderators can do this.")
    if move.role is Role.REPORTER:
        if not is_reporter(user, incident):
            return _("Only the observer who filed this report can do this.")
        return None
    if not is_moderator(user):
        return _("Only moderators can do this.")
    if not in_scope(user, incident):
        return _("This report is outside your regions.")
    if move.role is Role.COORDINATOR:
        return None if is_coordinator(user) else _("Only coordinators can do this.")
    if move.second_person and verifier_id(incident) == user.pk:
        return _("A second moderator must approve what you verified.")
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
            if step == Status.VERIFIED:
                state.verified_by_id = user.pk
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
