"""The moderation workflow as one table.

Every status change goes through ``services.incident_transition``, which
looks the move up here. A move that is not in the table is not allowed.

    submitted ──claim──> in_review ──verify──> verified ──publish──> published ──retract──> retracted
        ^                  │  │
        └── observer ──────┘  ├──ask──> needs_info   (observer answers -> submitted;
            answers           │                       no answer -> rejected)
                              └──reject──> rejected  (reason required; a duplicate is
                                                      rejected with a link to its primary)

A report that names detained people, or that a moderator marked sensitive,
needs two people to be published: the verified report is approved by a
moderator other than the one who verified it, then published:

    verified ──approve (a second moderator)──> approved ──publish──> published

``Move.only_if`` / ``Move.unless`` name the condition (``Guard``) under which
a move exists for an incident; ``permissions.guard_holds`` decides it.

A claim also ends without its holder (``CLAIM_ENDINGS``): by itself when it
is untouched for OBSERVER_CLAIM_MINUTES, or broken by a coordinator with a
reason. Both take the report back to the queue as a release does.

A moderator's button may take several moves at once (a submitted report is
claimed on the way to verified); ``route`` finds them, and each one is still
checked and recorded on its own.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models.vocabularies import EventAction, Status


class Role(StrEnum):
    MODERATOR = "moderator"  # holds incidents.moderate_incident (Moderator and Coordinator groups)
    REPORTER = "reporter"  # the observer who filed the report
    COORDINATOR = "coordinator"  # holds incidents.reassign_incident
    SYSTEM = "system"  # nobody: a periodic task (an expired claim)


class Guard(StrEnum):
    """A condition on an incident under which a move exists (``permissions.guard_holds``)."""

    #: publishing needs a second moderator: a detention that names detained people, or marked sensitive
    TWO_PEOPLE = "two_people"


@dataclass(frozen=True)
class Move:
    action: EventAction
    role: Role
    #: a comment is required and recorded (the question, the reason, the answer)
    reason_required: bool = False
    #: only the moderator holding the claim may make it (coordinators may always)
    claim_required: bool = False
    #: the observer sees this step in their report's history
    visible_to_observer: bool = True
    #: what a moderator must fill in before making it, as the button says it (beside a required reason)
    needs: str = ""
    #: the move exists only for an incident for which this guard holds
    only_if: Guard | None = None
    #: the move does not exist for an incident for which this guard holds
    unless: Guard | None = None
    #: made by a moderator other than the one who verified the report
    second_person: bool = False


TRANSITIONS: dict[tuple[Status, Status], Move] = {
    (Status.SUBMITTED, Status.IN_REVIEW): Move(EventAction.CLAIMED, Role.MODERATOR),
    (Status.IN_REVIEW, Status.SUBMITTED): Move(
        EventAction.RELEASED, Role.MODERATOR, claim_required=True, visible_to_observer=False
    ),
    (Status.IN_REVIEW, Status.VERIFIED): Move(
        EventAction.VERIFIED, Role.MODERATOR, claim_required=True, needs=_("needs a verification level")
    ),
    (Status.IN_REVIEW, Status.NEEDS_INFO): Move(
        EventAction.ASKED, Role.MODERATOR, reason_required=True, claim_required=True, needs=_("needs your question")
    ),
    (Status.IN_REVIEW, Status.REJECTED): Move(
        EventAction.REJECTED, Role.MODERATOR, reason_required=True, claim_required=True, needs=_("needs a reason")
    ),
    (Status.NEEDS_INFO, Status.SUBMITTED): Move(EventAction.ANSWERED, Role.REPORTER, reason_required=True),
    # An observer who never answers does not keep a report in the queue for ever.
    (Status.NEEDS_INFO, Status.REJECTED): Move(
        EventAction.REJECTED, Role.MODERATOR, reason_required=True, claim_required=True, needs=_("needs a reason")
    ),
    (Status.VERIFIED, Status.PUBLISHED): Move(
        EventAction.PUBLISHED, Role.MODERATOR, needs=_("needs the public summary"), unless=Guard.TWO_PEOPLE
    ),
    (Status.VERIFIED, Status.APPROVED): Move(
        EventAction.APPROVED,
        Role.MODERATOR,
        only_if=Guard.TWO_PEOPLE,
        second_person=True,
        visible_to_observer=False,
        needs=_("needs a moderator other than the one who verified it"),
    ),
    (Status.APPROVED, Status.PUBLISHED): Move(
        EventAction.PUBLISHED, Role.MODERATOR, needs=_("needs the public summary")
    ),
    (Status.PUBLISHED, Status.RETRACTED): Move(
        EventAction.RETRACTED, Role.MODERATOR, reason_required=True, needs=_("needs a public notice")
    ),
}

#: the ways a claim ends without its holder: the same change of status as a release, made by someone else
CLAIM_ENDINGS: dict[EventAction, tuple[Status, Status, Move]] = {
    EventAction.CLAIM_EXPIRED: (
        Status.IN_REVIEW,
        Status.SUBMITTED,
        Move(EventAction.CLAIM_EXPIRED, Role.SYSTEM, visible_to_observer=False),
    ),
    EventAction.CLAIM_BROKEN: (
        Status.IN_REVIEW,
        Status.SUBMITTED,
        Move(EventAction.CLAIM_BROKEN, Role.COORDINATOR, reason_required=True, visible_to_observer=False),
    ),
}

#: statuses in which a report waits for a moderator
QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO)
#: statuses in which the observer may still edit their report
EDITABLE_STATUSES = (Status.SUBMITTED, Status.NEEDS_INFO)


def moves_from(status):
    """The moves that leave ``status``, as ``{to_status: Move}``."""
    return {to: move for (source, to), move in TRANSITIONS.items() if source == status}


#: statuses a moderator's route may pass through on the way to another
ROUTE_VIA = (Status.IN_REVIEW, Status.VERIFIED)


def route(from_status, to_status, role=Role.MODERATOR):
    """The shortest list of statuses that takes an incident from ``from_status``
    to ``to_status`` by ``role``'s moves, passing only through ROUTE_VIA, or
    None if there is none. ``route(SUBMITTED, VERIFIED) == [IN_REVIEW, VERIFIED]``.
    """
    paths = {from_status: []}
    frontier = [from_status]
    while frontier:
        reached = []
        for status in frontier:
            if status != from_status and status not in ROUTE_VIA:
                continue
            for target, move in moves_from(status).items():
                if move.role is role and target not in paths:
                    paths[target] = [*paths[status], target]
                    reached.append(target)
        frontier = reached
    return paths.get(to_status) or None


def routes_from(from_status, role=Role.MODERATOR):
    """Every status ``role`` can reach from ``from_status``, as ``{to_status: route}``."""
    return {to: path for to in Status if (path := route(from_status, to, role))}


#: statuses in which a report is held by a moderator's claim (some move out of them needs the claim)
ASSIGNED_STATUSES = tuple(status for status in Status if any(m.claim_required for m in moves_from(status).values()))
#: statuses from which a moderator can still reject a report, and so mark it as a duplicate
DUPLICATE_STATUSES = tuple(status for status in Status if route(status, Status.REJECTED))


def needs_for(to_status):
    """What a moderator must fill in to take a report to ``to_status`` (the same whatever it comes from)."""
    return next((move.needs for (_source, to), move in TRANSITIONS.items() if to == to_status and move.needs), "")
