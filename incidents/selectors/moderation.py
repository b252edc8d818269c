"""What moderators read: the queue, one incident with its history, likely duplicates, the dashboard."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Attachment,
    EventAction,
    Incident,
    IncidentEvent,
    IncidentKind,
    Status,
)
from ..public import shape
from ..workflow import QUEUE_STATUSES


def incidents_visible_to(user):
    """The incidents of a moderator's regions (``permissions.moderation_scope``); an observer's
    own reports; nothing otherwise."""
    if permissions.is_moderator(user):
        return permissions.within_scope(user, Incident.objects.all())
    observer = permissions.observer_of(user)
    if observer is None:
        return Incident.objects.none()
    return Incident.objects.reported_by(observer)


def moderation_queue(user):
    """The incidents ``user`` may moderate (none unless a moderator), with what a queue row shows."""
    if not permissions.is_moderator(user):
        return Incident.objects.none()
    return incidents_visible_to(user).select_related("election", "region", "polling_station", "assignee")


def moderation_incident(user, reference):
    """One incident for a moderator, with details, files and duplicate link loaded; None if not theirs to see."""
    return (
        moderation_queue(user)
        .select_related("duplicate_of", *shape.detail_relations())
        .annotate(reporter_user_id=F("reporter__user_id"))
        .prefetch_related("attachments")
        .filter(reference=reference)
        .first()
    )


def incident_history(incident):
    """Every event of an incident, oldest first, with who made it (staff only)."""
    return incident.events.select_related("actor").order_by("created_at", "id")


def moderators():
    """Active users who may moderate (through a group, their own permissions, or as superusers)."""
    app_label, codename = permissions.MODERATE_PERMISSION.split(".")
    holds = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    return get_user_model().objects.filter(holds | Q(is_superuser=True), is_active=True).distinct().order_by("username")


@dataclass(frozen=True)
class LikelyDuplicate:
    incident: Incident
    score: float  # 0..1, higher is more alike
    text_similarity: float  # 0..1, share of words in common
    same_station: bool
    minutes_apart: int


#: at most this many reports are compared with one report
DUPLICATE_CANDIDATES = 200
WORDS = re.compile(r"\w{3,}")


def _words(text):
    return {word for word in WORDS.findall(text.casefold()) if not word.isdigit()}


def likely_duplicates(incident, *, limit=5, user=None):
    """Reports that may tell of the same event as ``incident``, most alike first.

    Candidates are of the same election and kind, at the same polling station
    or in the same region, within OBSERVER_DUPLICATE_WINDOW_HOURS of it, and
    neither rejected, retracted nor a duplicate themselves, and in ``user``'s
    regions when a user is given; they are ranked by how alike their texts
    are, then by station and time. One query.
    """
    window = datetime.timedelta(hours=settings.OBSERVER_DUPLICATE_WINDOW_HOURS)
    place = Q()
    if incident.region_id:
        place |= Q(region_id=incident.region_id)
    if incident.polling_station_id:
        place |= Q(polling_station_id=incident.polling_station_id)
    pool = Incident.objects.all() if user is None else permissions.within_scope(user, Incident.objects.all())
    candidates = (
        pool.filter(
            place,
            election_id=incident.election_id,
            kind=incident.kind,
            occurred_at__range=(incident.occurred_at - window, incident.occurred_at + window),
            duplicate_of__isnull=True,
        )
        .exclude(pk=incident.pk)
        .exclude(status__in=[Status.REJECTED, Status.RETRACTED])
        .select_related("region", "polling_station")
        .order_by("occurred_at", "pk")[:DUPLICATE_CANDIDATES]
    )
    own_words = _words(f"{incident.description} {incident.location_text}")
    found = []
    for candidate in candidates:
        words = _words(f"{candidate.description} {candidate.location_text}")
        union = own_words | words
        text = len(own_words & words) / len(union) if union else 0.0
        apart = abs(candidate.occurred_at - incident.occurred_at)
        same_station = bool(incident.polling_station_id) and candidate.polling_station_id == incident.polling_station_id
        closeness = 1 - apart / window
        score = 0.6 * text + 0.25 * closeness + 0.15 * same_station
        found.append(LikelyDuplicate(candidate, round(score, 3), text, same_station, int(apart.total_seconds() // 60)))
    found.sort(key=lambda duplicate: (-duplicate.score, duplicate.incident.pk))
    return found[:limit]


#: the event actions counted as a moderator's work on the dashboard
MODERATOR_WORK = (
    EventAction.CLAIMED,
    EventAction.VERIFIED,
    EventAction.ASKED,
    EventAction.REJECTED,
    EventAction.MERGED,
    EventAction.PUBLISHED,
    EventAction.RETRACTED,
)


def moderation_dashboard(election=None, *, now=None, user=None):
    """Counts for the moderation dashboard, in a fixed number of queries.

    ``by_kind`` has a row per incident kind with its count per status;
    ``by_status`` the totals per status; ``oldest_waiting`` the report that
    has waited longest in the queue; ``moderators_today`` per moderator, the
    work they recorded since midnight (in the election's time zone). With
    ``user``, only the reports of their regions are counted.
    """
    now = now or timezone.now()
    incidents = Incident.objects.all()
    events = IncidentEvent.objects.all()
    if user is not None:
        incidents = permissions.within_scope(user, incidents)
        events = permissions.within_scope(user, events, "incident__region")
    zone = timezone.get_current_timezone()
    if election is not None:
        incidents = incidents.filter(election=election)
        events = events.filter(incident__election=election)
        zone = election.zone
    counts = {
        (row["kind"], row["status"]): row["n"]
        for row in incidents.values("kind", "status").annotate(n=Count("pk")).order_by()
    }
    by_status = {status: sum(n for (_kind, s), n in counts.items() if s == status) for status in Status}
    by_kind = [
        {
            "kind": kind,
            "counts": [counts.get((kind.value, status.value), 0) for status in Status],
            "total": sum(n for (k, _status), n in counts.items() if k == kind),
        }
        for kind in IncidentKind
    ]
    oldest_waiting = (
        incidents.filter(status__in=QUEUE_STATUSES)
        .select_related("region", "assignee")
        .order_by("created_at", "pk")
        .first()
    )
    midnight = datetime.datetime.combine(now.astimezone(zone).date(), datetime.time.min, tzinfo=zone)
    per_action = {action.value: Count("pk", filter=Q(action=action)) for action in MODERATOR_WORK}
    moderators_today = [
        {**row, "counts": [row[action.value] for action in MODERATOR_WORK]}
        for row in events.filter(created_at__gte=midnight, action__in=MODERATOR_WORK, actor__isnull=False)
        .values("actor", "actor__username")
        .annotate(incidents=Count("incident", distinct=True), **per_action)
        .order_by("-incidents", "actor__username")
    ]
    return {
        "election": election,
        "statuses": list(Status),
        "by_status": by_status,
        "status_totals": [by_status[status] for status in Status],
        "by_kind": [row for row in by_kind if row["total"]],
        "total": sum(counts.values()),
        "waiting": sum(by_status[status] for status in QUEUE_STATUSES),
        "oldest_waiting": oldest_waiting,
        "moderators_today": moderators_today,
        "work_actions": MODERATOR_WORK,
        "since": midnight,
        "time_zone": zone,
    }


def next_waiting(*, exclude=None, user=None):
    """The report that has waited longest for a moderator to claim it (of ``user``'s regions), or None."""
    queue = Incident.objects.filter(status=Status.SUBMITTED, assignee__isnull=True)
    if user is not None:
        queue = permissions.within_scope(user, queue)
    if exclude is not None:
        queue = queue.exclude(pk=exclude.pk)
    return queue.order_by("created_at", "pk").first()


# The queue's filters, used by the admin's list filters and the API's queue filter alike ----------------------------

#: the status filter's values beyond the statuses: the queue (what waits for a moderator), and everything
QUEUE, ALL = "queue", "all"
QUEUE_STATUS_CHOICES = [(QUEUE, _("Waiting (submitted, in review, needs information)")), *Status.choices]
#: the assignee filter's values beyond a moderator: the one asking, and nobody
ASSIGNEE_ME, ASSIGNEE_NOBODY = "me", "nobody"
ATTACHMENT_CHOICES = [("yes", _("With attachments")), ("no", _("Without attachments"))]


def queue_by_status(queryset, value):
    """The queue (``QUEUE`` or nothing), every report (``ALL``), or one status."""
    if not value or value == QUEUE:
        return queryset.filter(status__in=QUEUE_STATUSES)
    if value in Status.values:
        return queryset.filter(status=value)
    return queryset


def queue_by_assignee(queryset, value, *, user):
    """``me`` (``user``'s claims), ``nobody`` (unclaimed), or the moderator ``value`` (a user or a username)."""
    if value == ASSIGNEE_ME:
        return queryset.filter(assignee=user)
    if value == ASSIGNEE_NOBODY:
        return queryset.filter(assignee__isnull=True)
    if isinstance(value, get_user_model()):
        return queryset.filter(assignee=value)
    return queryset.filter(assignee__username=value) if value else queryset


def queue_by_attachments(queryset, value):
    """Reports with files (``yes``) or without (``no``)."""
    if value not in ("yes", "no"):
        return queryset
    has = Exists(Attachment.objects.filter(incident=OuterRef("pk")))
    return queryset.filter(has if value == "yes" else ~has)


def queue_by_text(queryset, value):
    """A reference, or words of the observer's text, the place they described or the summary (staff only)."""
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(reference__icontains=value)
        | Q(description__icontains=value)
        | Q(location_text__icontains=value)
        | Q(public_summary__icontains=value)
    )


def queue_assignees(user=None):
    """Users who hold a claim now (on a report of ``user``'s regions), by username (the assignee filter's choices)."""
    holders = get_user_model().objects.filter(assigned_incidents__isnull=False)
    if user is not None:
        holders = permissions.within_scope(user, holders, "assigned_incidents__region")
    return holders.distinct().order_by("username")


def expired_claims(*, now=None):
    """Reports in review whose claim nobody touched for OBSERVER_CLAIM_MINUTES (oldest first).

    "Touched" is any change to the report (``updated_at``): a move, an edit, a saved summary.
    """
    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.OBSERVER_CLAIM_MINUTES)
    return Incident.objects.filter(status=Status.IN_REVIEW, assignee__isnull=False, updated_at__lt=limit).order_by(
        "updated_at", "pk"
    )
