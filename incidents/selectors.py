"""Every read the pages, exports and API make. Writes live in services.py."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from . import permissions
from .models import (
    Election,
    EventAction,
    Incident,
    IncidentEvent,
    IncidentKind,
    OfficialResult,
    PartyResult,
    PollingStation,
    Region,
    Status,
)
from .workflow import QUEUE_STATUSES


def election_current():
    """The election marked current, else the most recent one, else None."""
    elections = Election.objects.order_by("-is_current", "-election_day")
    return elections.first()


def incidents_public(election=None):
    """Published incidents with what a public list shows, in one query."""
    queryset = Incident.objects.published().select_related("election", "region", "polling_station")
    if election is not None:
        queryset = queryset.filter(election=election)
    return queryset


def incidents_visible_to(user):
    """Every incident for a moderator; an observer's own reports; nothing otherwise."""
    if permissions.is_moderator(user):
        return Incident.objects.all()
    observer = permissions.observer_of(user)
    if observer is None:
        return Incident.objects.none()
    return Incident.objects.reported_by(observer)


def election_overview(election):
    """The national picture of ``election``: results, party votes and seats, regions.

    Runs a fixed number of queries whatever the number of regions and parties.
    """
    if election is None:
        return {"election": None}
    party_results = Prefetch(
        "party_results",
        queryset=PartyResult.objects.select_related("party").order_by("-votes", "party__ballot_number"),
    )
    national = (
        OfficialResult.objects.filter(election=election, region=None, polling_station=None)
        .prefetch_related(party_results)
        .first()
    )
    regional = list(
        OfficialResult.objects.filter(election=election, region__isnull=False)
        .select_related("region")
        .order_by("region__code")
    )
    parties = list(national.party_results.all()) if national else []
    return {
        "election": election,
        "national": national,
        "party_results": parties,
        "seats_by_party": sum(p.seats or 0 for p in parties),
        "regional_results": regional,
    }


def observer_reports(observer):
    """An observer's own reports, newest first, each with the last step they may see.

    One query for any number of reports (``last_action`` and ``last_event_at``
    are subqueries).
    """
    last_seen = IncidentEvent.objects.filter(incident=OuterRef("pk"), visible_to_observer=True).order_by(
        "-created_at", "-id"
    )
    return (
        Incident.objects.reported_by(observer)
        .select_related("election", "region", "polling_station")
        .annotate(
            last_action=Subquery(last_seen.values("action")[:1]),
            last_event_at=Subquery(last_seen.values("created_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def observer_report_counts(observer):
    """``{status: count}`` of an observer's reports, in one query."""
    rows = Incident.objects.reported_by(observer).values("status").annotate(count=Count("id")).order_by()
    return {row["status"]: row["count"] for row in rows}


def observer_report_by_client_token(observer, client_token):
    """The report ``observer`` already filed with ``client_token``, or None."""
    return Incident.objects.reported_by(observer).filter(client_token=client_token).first()


def observer_report_history(incident):
    """The steps of a report its observer may see, oldest first (never internal notes)."""
    return incident.events.visible_to_observer().order_by("created_at", "id")


def observer_stations(observer, election, region=None):
    """The stations an observer picks from: their assigned ones, then those of ``region``.

    Returns ``(assigned, in_region)``; ``in_region`` leaves out the assigned ones.
    """
    assigned = list(observer.assigned_stations.filter(election=election).select_related("region").order_by("number"))
    in_region = []
    if region is not None:
        in_region = list(
            PollingStation.objects.filter(election=election, region=region)
            .exclude(pk__in=[station.pk for station in assigned])
            .order_by("number")
        )
    return assigned, in_region


def election_regions(election):
    """The regions of an election's country, by name in the active language."""
    return sorted(Region.objects.filter(country=election.country), key=lambda region: str(region.name))


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


def likely_duplicates(incident, *, limit=5):
    """Reports that may tell of the same event as ``incident``, most alike first.

    Candidates are of the same election and kind, at the same polling station
    or in the same region, within OBSERVER_DUPLICATE_WINDOW_HOURS of it, and
    neither rejected, retracted nor a duplicate themselves; they are ranked
    by how alike their texts are, then by station and time. One query.
    """
    window = datetime.timedelta(hours=settings.OBSERVER_DUPLICATE_WINDOW_HOURS)
    place = Q()
    if incident.region_id:
        place |= Q(region_id=incident.region_id)
    if incident.polling_station_id:
        place |= Q(polling_station_id=incident.polling_station_id)
    candidates = (
        Incident.objects.filter(
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


def moderation_dashboard(election=None, *, now=None):
    """Counts for the moderation dashboard, in a fixed number of queries.

    ``by_kind`` has a row per incident kind with its count per status;
    ``by_status`` the totals per status; ``oldest_waiting`` the report that
    has waited longest in the queue; ``moderators_today`` per moderator, the
    work they recorded since midnight (in the election's time zone).
    """
    now = now or timezone.now()
    incidents = Incident.objects.all()
    events = IncidentEvent.objects.all()
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


def next_waiting(*, exclude=None):
    """The report that has waited longest for a moderator to claim it, or None."""
    queue = Incident.objects.filter(status=Status.SUBMITTED, assignee__isnull=True)
    if exclude is not None:
        queue = queue.exclude(pk=exclude.pk)
    return queue.order_by("created_at", "pk").first()
