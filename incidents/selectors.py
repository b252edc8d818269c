"""Every read the pages, exports and API make. Writes live in services.py."""

from django.db.models import Prefetch

from . import permissions
from .models import Election, Incident, OfficialResult, PartyResult


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
