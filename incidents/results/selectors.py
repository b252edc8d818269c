"""Reads of station-level results for the forensics pages, API and exports.

A fixed number of queries whatever the number of stations: the stations'
counts in one ``values_list``, the chosen party's votes in another, both
turned into numpy arrays; parties and their station-level totals in one
grouped query. The region tree comes from ``incidents.selectors.results``.
"""

from dataclasses import dataclass

import numpy as np
from django.db.models import Q, Sum

from ..models import OfficialResult, Party, PartyResult
from ..selectors.results import region_and_descendant_ids


@dataclass
class PartyTotal:
    party: Party
    votes: int


@dataclass
class StationResults:
    """One election's (or region's) stations with complete counts, as arrays in the order of ``result_ids``."""

    result_ids: np.ndarray
    numbers: list
    region_ids: np.ndarray
    registered: np.ndarray
    ballots: np.ndarray
    valid: np.ndarray
    party: Party | None
    votes: np.ndarray
    parties: list
    source: str

    def __len__(self):
        return len(self.result_ids)


def station_result_rows(election, region_ids=None):
    """The election's station results with all three counts known (a queryset)."""
    rows = OfficialResult.objects.filter(
        election=election,
        polling_station__isnull=False,
        registered_voters__isnull=False,
        ballots_cast__isnull=False,
        valid_votes__isnull=False,
    )
    if region_ids is not None:
        rows = rows.filter(polling_station__region_id__in=region_ids)
    return rows


def has_station_results(election, region=None):
    """Whether ``election`` (in ``region`` or the regions right below it) has station results (one query)."""
    if election is None:
        return False
    rows = station_result_rows(election)
    if region is not None:
        rows = rows.filter(Q(polling_station__region=region) | Q(polling_station__region__parent=region))
    return rows.exists()


def party_votes(election, region, rows):
    """``{party id: votes}`` where the party analysed by default is the first.

    The published result of the place (national, or the region's) when there is one: a
    small query, where summing 1.4 million party results of 100,000 stations costs a
    second on PostgreSQL. Else the votes summed over the stations (``rows``).
    """
    published = PartyResult.objects.filter(
        result__election=election, result__polling_station=None, votes__isnull=False
    ).order_by()
    published = published.filter(result__region=region) if region else published.filter(result__region=None)
    found = dict(published.values_list("party_id", "votes"))
    if found:
        return found
    totals = PartyResult.objects.filter(result__in=rows, votes__isnull=False).order_by().values_list("party_id")
    return dict(totals.annotate(total=Sum("votes")))


def station_results(election, *, region=None, party_id=None):
    """The stations' counts and one party's votes (the leading party's unless ``party_id``).

    Six queries at most: regions (for a region), party votes (``party_votes``: one, or two
    without a published result), parties, stations, votes, source.
    Returns None when there is no station result.
    """
    region_ids = sorted(region_and_descendant_ids(region)) if region is not None else None
    rows = station_result_rows(election, region_ids)
    votes_by_party = party_votes(election, region, rows)
    parties = [
        PartyTotal(party, votes_by_party.get(party.pk, 0))
        for party in Party.objects.filter(election=election).order_by("ballot_number", "short_name")
    ]
    parties.sort(key=lambda item: (-item.votes, item.party.ballot_number or 0))
    stations = list(
        rows.order_by("pk").values_list(
            "pk",
            "polling_station__number",
            "polling_station__region_id",
            "registered_voters",
            "ballots_cast",
            "valid_votes",
        )
    )
    if not stations:
        return None
    result_ids, numbers, station_regions, registered, ballots, valid = zip(*stations, strict=True)
    result_ids = np.fromiter(result_ids, dtype=np.int64, count=len(stations))
    chosen = next((item.party for item in parties if item.party.pk == party_id), None)
    if chosen is None and parties and party_id is None:
        chosen = parties[0].party
    votes = np.zeros(len(stations), dtype=np.int64)
    if chosen is not None:
        # All the party's results (it stands in one election), kept where they belong to a station read:
        # no join or subquery for the database, one index scan.
        pairs = np.array(
            PartyResult.objects.filter(party=chosen, votes__isnull=False).order_by().values_list("result_id", "votes"),
            dtype=np.int64,
        ).reshape(-1, 2)
        positions = np.minimum(np.searchsorted(result_ids, pairs[:, 0]), len(result_ids) - 1)
        found = result_ids[positions] == pairs[:, 0]
        votes[positions[found]] = pairs[found, 1]
    source = OfficialResult.objects.filter(pk=int(result_ids[0])).values_list("source", flat=True).first()
    return StationResults(
        result_ids=result_ids,
        numbers=list(numbers),
        region_ids=np.fromiter(station_regions, dtype=np.int64, count=len(stations)),
        registered=np.fromiter(registered, dtype=np.int64, count=len(stations)),
        ballots=np.fromiter(ballots, dtype=np.int64, count=len(stations)),
        valid=np.fromiter(valid, dtype=np.int64, count=len(stations)),
        party=chosen,
        votes=votes,
        parties=parties,
        source=source or "",
    )
