"""Every read the pages, exports and API make. Writes live in services.py."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.utils import timezone

from . import permissions, public
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
    """Published incidents with everything ``public.from_incident`` reads, in one query.

    Private columns are not even loaded. Filter it with ``filters.PublicIncidentFilter``.
    """
    queryset = _public_shape(Incident.objects.published())
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


def election_overview(election, *, region_sort="name", latest=5):
    """The national picture of ``election``: results, party votes and seats,
    incidents by kind, regions beside their incidents, the latest published incidents.

    Runs a fixed number of queries whatever the number of regions, parties and incidents.
    """
    if election is None:
        return {"election": None}
    national = national_result(election)
    parties = list(national.party_results.all()) if national else []
    counts = incident_counts(election)
    summaries = region_summaries(election, national=national, counts=counts)
    by_kind = {}
    for (_region, kind), count in counts.items():
        by_kind[kind] = by_kind.get(kind, 0) + count
    latest_ids = list(
        Incident.objects.published()
        .filter(election=election)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:latest]
    )
    return {
        "election": election,
        "national": national,
        "party_results": parties,
        "seats_by_party": sum(p.seats or 0 for p in parties),
        "kind_counts": [KindCount(kind, kind.label, by_kind[kind]) for kind in IncidentKind if by_kind.get(kind)],
        "incident_total": sum(by_kind.values()),
        "region_summaries": sort_region_summaries(summaries, region_sort),
        "latest": incidents_public_page(latest_ids),
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


def observer_report(observer, reference):
    """One of ``observer``'s own reports with its details loaded, or None (also for another's)."""
    return (
        observer_reports(observer)
        .select_related(*public.detail_relations())
        .prefetch_related("attachments")
        .filter(reference=reference)
        .first()
    )


def observer_report_counts(observer):
    """``{status: count}`` of an observer's reports, in one query."""
    rows = Incident.objects.reported_by(observer).values("status").annotate(count=Count("id")).order_by()
    return {row["status"]: row["count"] for row in rows}


def observer_report_by_client_token(observer, client_token):
    """The report ``observer`` already filed with ``client_token``, or None."""
    return Incident.objects.reported_by(observer).filter(client_token=client_token).first()


def observer_report_as_filed(incident):
    """A report the caller has just filed, shaped as ``observer_report`` shapes it.

    Its region, station and details are already in memory: only its files and
    its history are read, instead of reading the whole report back (nearly
    half the time of filing one through the API). Returns ``(incident, history)``.
    """
    history = list(observer_report_history(incident))
    last = history[-1] if history else None
    incident.last_action = last.action if last else None
    incident.last_event_at = last.created_at if last else None
    prefetch_related_objects([incident], "attachments")
    return incident, history


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


def api_tokens_of(user):
    """``user``'s API tokens that still work, newest first."""
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).exclude(expiry__lte=timezone.now()).order_by("-created")


def moderation_queue(user):
    """The incidents ``user`` may moderate (none unless a moderator), with what a queue row shows."""
    if not permissions.is_moderator(user):
        return Incident.objects.none()
    return incidents_visible_to(user).select_related("election", "region", "polling_station", "assignee")


def moderation_incident(user, reference):
    """One incident for a moderator, with details, files and duplicate link loaded; None if not theirs to see."""
    return (
        moderation_queue(user)
        .select_related("duplicate_of", *public.detail_relations())
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


def _public_shape(queryset):
    """Load what the public shape needs in the same query, and never the private columns."""
    return (
        queryset.select_related("election", "region", "polling_station", *public.detail_relations())
        .defer(*public.private_columns())
        .with_corroboration()
    )


def incident_public(reference):
    """The public shape of the incident with ``reference``: a PublicIncident, a
    RetractedIncident (only its notice), or None when the public may not see it.

    Two queries: the incident with its details, then its public attachments.
    """
    incident = _public_shape(Incident.objects.publicly_visible()).filter(reference=reference).first()
    if incident is None:
        return None
    if incident.status == Status.RETRACTED:
        return public.retracted(incident)
    attachments = incident.attachments.filter(is_public=True).order_by("created_at", "pk")
    return public.from_incident(incident, attachments=attachments)


def incidents_public_page(ids, *, readable=True):
    """The public shapes of the incidents ``ids``, in that order (without texts for people
    unless ``readable``: the API sends raw values).

    Lists page in two steps: the ids of one page first (from the filtered
    queryset, an index scan of the incident table alone), then the rows of
    those ids with everything joined. Joining before sorting would make the
    database join every matching row to show twenty-five.
    """
    by_pk = {incident.pk: incident for incident in incidents_public().filter(pk__in=ids)}
    return [public.from_incident(by_pk[pk], readable=readable) for pk in ids if pk in by_pk]


def incidents_public_shapes(queryset, *, readable=False):
    """Each incident of ``queryset`` (from ``incidents_public``) in its public shape, streamed.

    Constant memory whatever the number of rows: rows are fetched in chunks.
    For exports: without texts for people unless ``readable``.
    """
    # Elections, regions and stations are few and repeat on every row: load each
    # once and attach it, instead of building it again from every joined row.
    elections = {election.pk: election for election in Election.objects.all()}
    regions = {region.pk: region for region in Region.objects.all()}
    stations = {}
    rows = queryset.select_related(None).select_related(*public.detail_relations())
    for incident in rows.iterator(chunk_size=2000):
        incident.election = elections[incident.election_id]
        incident.region = regions.get(incident.region_id)
        if incident.polling_station_id is not None:
            station = stations.get(incident.polling_station_id)
            if station is None:
                stations.update(
                    (station.pk, station) for station in PollingStation.objects.filter(election_id=incident.election_id)
                )
                station = stations[incident.polling_station_id]
            incident.polling_station = station
        yield public.from_incident(incident, readable=readable)


# Geography -------------------------------------------------------------------------------------------------------


def region_children(regions=None):
    """``{region_id: [child ids]}`` of the whole region tree, in one query (none if ``regions`` are given)."""
    pairs = (
        Region.objects.order_by().values_list("pk", "parent_id")
        if regions is None
        else [(region.pk, region.parent_id) for region in regions]
    )
    children = {}
    for pk, parent_id in pairs:
        children.setdefault(pk, [])
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    return children


def region_and_descendant_ids(region, children=None):
    """The ids of ``region`` and every region below it."""
    children = region_children() if children is None else children
    found, stack = set(), [region.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return found


# Regional results beside incidents -------------------------------------------------------------------------------


PER_VOTERS = 100_000


@dataclass
class KindCount:
    kind: str
    label: str
    count: int


@dataclass
class RegionSummary:
    """One region's official result beside its published incidents (sub-regions included)."""

    region: Region
    result: OfficialResult | None
    national_turnout: Decimal | None
    counts: dict = field(default_factory=dict)

    @property
    def incidents(self):
        return sum(self.counts.values())

    @property
    def kind_counts(self):
        return [KindCount(kind, kind.label, self.counts[kind]) for kind in IncidentKind if self.counts.get(kind)]

    @property
    def turnout(self):
        return self.result.turnout if self.result else None

    @property
    def registered_voters(self):
        return self.result.registered_voters if self.result else None

    @property
    def per_100k(self):
        """Incidents per 100,000 registered voters, when the voters are known."""
        voters = self.registered_voters
        if not voters:
            return None
        return (Decimal(self.incidents) * PER_VOTERS / voters).quantize(Decimal("0.01"))

    @property
    def turnout_gap(self):
        """Turnout minus the national turnout, in percentage points."""
        if self.turnout is None or self.national_turnout is None:
            return None
        return self.turnout - self.national_turnout


def national_result(election):
    return (
        OfficialResult.objects.filter(election=election, region=None, polling_station=None)
        .prefetch_related(
            Prefetch(
                "party_results",
                queryset=PartyResult.objects.select_related("party").order_by("-votes", "party__ballot_number"),
            )
        )
        .first()
    )


def incident_counts(election, queryset=None):
    """``{(region_id, kind): count}`` of published incidents, in one grouped query."""
    queryset = Incident.objects.published().filter(election=election) if queryset is None else queryset
    rows = queryset.order_by().values_list("region_id", "kind").annotate(count=Count("pk"))
    return {(region_id, kind): count for region_id, kind, count in rows}


def _roll_up(counts, children, region_id):
    """Counts by kind of ``region_id`` and everything below it."""
    totals = {}
    for pk in region_and_descendant_ids(Region(pk=region_id), children):
        for kind in IncidentKind:
            count = counts.get((pk, kind.value))
            if count:
                totals[kind] = totals.get(kind, 0) + count
    return totals


def region_summaries(election, *, national=None, parent=None, counts=None, every_level=False):
    """Summaries of the regions directly under ``parent`` (top-level regions when None),
    or of the regions of every level when ``every_level``.

    Regions of the election's country are listed, and regions of other
    countries only when they have a result or an incident in this election.
    Counts include sub-regions. Four queries at most (two when ``national``
    and ``counts`` are given), whatever the number of regions and incidents.
    """
    if election is None:
        return []
    if national is None:
        national = OfficialResult.objects.filter(election=election, region=None, polling_station=None).first()
    national_turnout = national.turnout if national else None
    every_region = list(Region.objects.all())
    children = region_children(every_region)
    parent_id = parent.pk if parent is not None else None
    regions = [region for region in every_region if every_level or region.parent_id == parent_id]
    results = {
        result.region_id: result
        for result in OfficialResult.objects.filter(election=election, region__isnull=False, polling_station=None)
    }
    counts = incident_counts(election) if counts is None else counts
    summaries = []
    for region in regions:
        rolled = _roll_up(counts, children, region.pk)
        if region.country != election.country and region.pk not in results and not rolled:
            continue
        summaries.append(RegionSummary(region, results.get(region.pk), national_turnout, rolled))
    return summaries


REGION_SORTS = {
    "name": lambda s: (s.region.name.casefold(),),
    "turnout": lambda s: (s.turnout is None, s.turnout or 0, s.region.name.casefold()),
    "-turnout": lambda s: (s.turnout is None, -(s.turnout or 0), s.region.name.casefold()),
    "incidents": lambda s: (s.incidents, s.region.name.casefold()),
    "-incidents": lambda s: (-s.incidents, s.region.name.casefold()),
}


def sort_region_summaries(summaries, sort):
    """Sort by a key of REGION_SORTS; regions without a turnout go last."""
    return sorted(summaries, key=REGION_SORTS[sort])


@dataclass
class RegionOverview:
    region: Region
    summary: RegionSummary
    result: OfficialResult | None
    party_results: list
    national: OfficialResult | None
    sub_regions: list
    latest: list


def region_overview(election, region, *, latest=20):
    """One region: its result and party votes, the national figure, sub-regions,
    incidents by kind and the latest published incidents. A fixed number of queries."""
    national = national_result(election) if election else None
    result = None
    if election is not None:
        result = (
            OfficialResult.objects.filter(election=election, region=region, polling_station=None)
            .prefetch_related(
                Prefetch(
                    "party_results",
                    queryset=PartyResult.objects.select_related("party").order_by("-votes", "party__ballot_number"),
                )
            )
            .first()
        )
    children = region_children()
    region_ids = region_and_descendant_ids(region, children)
    counts = {}
    if election is not None:
        in_region = Incident.objects.published().filter(election=election, region_id__in=region_ids)
        counts = incident_counts(election, in_region)
    national_turnout = national.turnout if national else None
    summary = RegionSummary(region, result, national_turnout, _roll_up(counts, children, region.pk))
    sub_regions = (
        region_summaries(election, national=national, parent=region, counts=counts) if children.get(region.pk) else []
    )
    incidents = []
    if election is not None:
        ids = list(
            Incident.objects.published()
            .filter(election=election, region_id__in=region_ids)
            .order_by("-occurred_at", "-id")
            .values_list("pk", flat=True)[:latest]
        )
        incidents = incidents_public_page(ids)
    return RegionOverview(
        region=region,
        summary=summary,
        result=result,
        party_results=list(result.party_results.all()) if result else [],
        national=national,
        sub_regions=sub_regions,
        latest=incidents,
    )


@dataclass
class RegionMarker:
    region: Region
    incidents: int
    turnout: Decimal | None


def region_markers(election, incidents):
    """Regions with a point, each with the number of ``incidents`` (a filtered
    queryset of published incidents) recorded there. An incident in a region
    without a point counts at the nearest region above it that has one.
    Three queries."""
    regions = {region.pk: region for region in Region.objects.all()}
    counts = {}
    for (region_id, _kind), count in incident_counts(election, incidents).items():
        region = regions.get(region_id)
        while region is not None and not region.has_point:
            region = regions.get(region.parent_id)
        if region is not None:
            counts[region.pk] = counts.get(region.pk, 0) + count
    turnouts = {}
    if election is not None:
        for result in OfficialResult.objects.filter(election=election, region__isnull=False, polling_station=None):
            turnouts[result.region_id] = result.turnout
    markers = []
    for region in sorted(regions.values(), key=lambda r: r.code):
        listed = region.parent_id is None and election is not None and region.country == election.country
        if region.has_point and (listed or region.pk in counts or region.pk in turnouts):
            markers.append(RegionMarker(region, counts.get(region.pk, 0), turnouts.get(region.pk)))
    return markers
