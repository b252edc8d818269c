"""Every read the pages, exports and API make. Writes live in services.py."""

from django.db.models import Count, OuterRef, Prefetch, Subquery

from . import permissions
from .models import Election, Incident, IncidentEvent, OfficialResult, PartyResult, PollingStation, Region


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
