"""Reads for the PVT pages, exports and API: the estimate beside the official result.

Only copies that count (``ProtocolCopy.objects.counted()``: verified, in no open
conflict) are read, and never who copied them. The estimate is computed by
``incidents.results.pvt.ratio_estimate``; nothing here recomputes it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from ..models import (
    LineRole,
    OfficialResult,
    PartyResult,
    PollingStation,
    ProtocolCopy,
    ProtocolLine,
    PvtSample,
    PvtStation,
    Region,
    SampleStrata,
)
from . import pvt

INSIDE, OUTSIDE, NO_ESTIMATE, NO_OFFICIAL = "inside", "outside", "no_estimate", "no_official"


@dataclass(frozen=True)
class Comparison:
    """One figure (a party's share, or turnout): the PVT estimate beside the official figure, both as shares."""

    key: str  # "turnout" or the party's short name
    label: str
    colour: str
    estimate: pvt.Estimate
    official: float | None

    @property
    def verdict(self):
        if not self.estimate.enough:
            return NO_ESTIMATE
        if self.official is None:
            return NO_OFFICIAL
        return INSIDE if self.estimate.contains(self.official) else OUTSIDE

    @property
    def outside(self):
        return self.verdict == OUTSIDE

    @staticmethod
    def _percent(share):
        return None if share is None else share * 100

    @property
    def percents(self):
        """Estimate, low, high and official in percent, for the templates."""
        estimate = self.estimate
        return {
            "estimate": self._percent(estimate.value),
            "low": self._percent(estimate.low),
            "high": self._percent(estimate.high),
            "margin": None if estimate.value is None else (estimate.high - estimate.low) * 50,
            "official": self._percent(self.official),
        }

    @property
    def difference(self):
        """Official minus estimate, in shares (None without both)."""
        if self.verdict in (NO_ESTIMATE, NO_OFFICIAL):
            return None
        return self.official - self.estimate.value


@dataclass(frozen=True)
class AreaEstimate:
    region: Region | None  # None: the whole country
    comparisons: list
    sampled: int
    reported: int

    @property
    def missing(self):
        return self.sampled - self.reported

    @property
    def any_outside(self):
        return [row for row in self.comparisons if row.outside]


@dataclass(frozen=True)
class PvtOverview:
    election: object
    sample: PvtSample | None
    national: AreaEstimate | None = None
    regions: list = field(default_factory=list)

    def region(self, code):
        return next((area for area in self.regions if area.region.code == code), None)


def _share(value):
    return None if value is None else float(value) / 100


def _stratum_sizes(election, strata):
    fields = ["region__code", "area"] if strata == SampleStrata.REGION_AREA else ["region__code"]
    sizes = {}
    for row in PollingStation.objects.filter(election=election).values(*fields).annotate(stations=Count("id")):
        key = row["region__code"]
        if strata == SampleStrata.REGION_AREA:
            key = f"{key}/{row['area'] or 'unknown'}"
        sizes[key] = row["stations"]
    return sizes


def _region_of(stratum):
    return stratum.split("/", 1)[0]


def sample_reports(sample):
    """A sample's counted copies: ``(stratum sizes, {stratum: [(lines, party_votes)]}, sampled per stratum)``."""
    sizes = _stratum_sizes(sample.election_id, sample.strata)
    strata = dict(PvtStation.objects.filter(sample=sample).values_list("polling_station_id", "stratum"))
    copies = (
        ProtocolCopy.objects.counted()
        .filter(election_id=sample.election_id, polling_station__pvt_entries__sample=sample)
        .order_by("polling_station_id", "id")
        .values_list("polling_station_id", "lines", "party_votes")
    )
    reports = defaultdict(list)
    seen = set()
    for station_id, lines, votes in copies:
        if station_id in seen:  # copies that count agree with each other: one per station
            continue
        seen.add(station_id)
        reports[strata[station_id]].append((lines, votes))
    sampled = defaultdict(int)
    for stratum in strata.values():
        sampled[stratum] += 1
    return sizes, reports, sampled


def _comparisons(sizes, reports, roles, parties, official_turnout, official_shares):
    valid, cast, registered = roles.get(LineRole.VALID), roles.get(LineRole.CAST), roles.get(LineRole.REGISTERED)
    rows = []
    if cast and registered:
        turnout = [
            (stratum, lines.get(cast, 0), lines.get(registered, 0))
            for stratum, copies in reports.items()
            for lines, _votes in copies
        ]
        rows.append(
            Comparison("turnout", _("Turnout"), "#555555", pvt.ratio_estimate(turnout, sizes), official_turnout)
        )
    if valid:
        for party in parties:
            votes = [
                (stratum, party_votes.get(str(party.pk), 0), lines.get(valid, 0))
                for stratum, copies in reports.items()
                for lines, party_votes in copies
            ]
            rows.append(
                Comparison(
                    party.short_name,
                    party.name,
                    party.colour,
                    pvt.ratio_estimate(votes, sizes),
                    official_shares.get(party.pk),
                )
            )
    return rows


def pvt_overview(election, *, regions=True):
    """The estimate of the election, nationally and (with ``regions``) per region, beside the official figures."""
    if election is None:
        return PvtOverview(election=None, sample=None)
    sample = PvtSample.objects.filter(election=election).first()
    if sample is None:
        return PvtOverview(election=election, sample=None)
    sample.election = election
    sizes, reports, sampled = sample_reports(sample)
    roles = {role: code for code, role in ProtocolLine.objects.filter(election=election).values_list("code", "role")}
    parties = list(election.parties.all())
    results = list(
        OfficialResult.objects.filter(election=election, polling_station__isnull=True).prefetch_related(
            Prefetch("party_results", queryset=PartyResult.objects.select_related("result"))
        )
    )
    national_result = next((result for result in results if result.region_id is None), None)
    national_shares = (
        {row.party_id: _share(row.share) for row in national_result.party_results.all()} if national_result else {}
    )
    national = AreaEstimate(
        region=None,
        comparisons=_comparisons(
            sizes,
            reports,
            roles,
            parties,
            _share(national_result.turnout) if national_result else None,
            national_shares,
        ),
        sampled=sum(sampled.values()),
        reported=sum(len(rows) for rows in reports.values()),
    )
    areas = []
    if regions:
        by_region = {result.region_id: result for result in results if result.region_id}
        codes = sorted({_region_of(stratum) for stratum in sizes})
        for region in Region.objects.filter(code__in=codes).order_by("code"):
            strata = {stratum for stratum in sizes if _region_of(stratum) == region.code}
            result = by_region.get(region.pk)
            shares = {row.party_id: _share(row.share) for row in result.party_results.all()} if result else {}
            areas.append(
                AreaEstimate(
                    region=region,
                    comparisons=_comparisons(
                        {s: sizes[s] for s in strata},
                        {s: reports[s] for s in strata if s in reports},
                        roles,
                        parties,
                        _share(result.turnout) if result else None,
                        shares,
                    ),
                    sampled=sum(sampled[s] for s in strata),
                    reported=sum(len(reports.get(s, ())) for s in strata),
                )
            )
    return PvtOverview(election=election, sample=sample, national=national, regions=areas)


@dataclass(frozen=True)
class StationDifference:
    number: str
    region: Region
    line: str
    official: int | None
    copied: int | None


#: official result field → protocol line role
OFFICIAL_FIELDS = {
    "registered_voters": LineRole.REGISTERED,
    "ballots_cast": LineRole.CAST,
    "valid_votes": LineRole.VALID,
    "invalid_votes": LineRole.INVALID,
}


def station_differences(election):
    """Stations whose imported official figures differ from a copy that counts: station, line, both figures."""
    lines = {role: (code, name) for code, role, name in _line_names(election)}
    copies = {}
    for station_id, copy_lines, votes in (
        ProtocolCopy.objects.counted()
        .filter(election=election, polling_station__results__isnull=False)
        .order_by("polling_station_id", "id")
        .values_list("polling_station_id", "lines", "party_votes")
    ):
        copies.setdefault(station_id, (copy_lines, votes))
    if not copies:
        return []
    differences = []
    official = (
        OfficialResult.objects.filter(election=election, polling_station_id__in=copies)
        .select_related("polling_station__region")
        .prefetch_related(Prefetch("party_results", queryset=PartyResult.objects.select_related("party")))
        .order_by("polling_station__number")
    )
    for result in official:
        copy_lines, votes = copies[result.polling_station_id]
        station = result.polling_station
        for field_name, role in OFFICIAL_FIELDS.items():
            if role not in lines:
                continue
            code, name = lines[role]
            published, copied = getattr(result, field_name), copy_lines.get(code)
            if published is not None and published != copied:
                differences.append(StationDifference(station.number, station.region, name, published, copied))
        for row in result.party_results.all():
            copied = votes.get(str(row.party_id))
            if row.votes is not None and row.votes != copied:
                differences.append(StationDifference(station.number, station.region, row.party.name, row.votes, copied))
    return differences


def _line_names(election):
    return [(line.code, line.role, line.name) for line in ProtocolLine.objects.filter(election=election)]


def counted_copies(election):
    """The copies that count, for the public export: station and figures, never the observer or a private photo."""
    return (
        ProtocolCopy.objects.counted()
        .filter(election=election)
        .select_related("polling_station__region")
        .only(
            "id",
            "copied_at",
            "lines",
            "party_votes",
            "polling_station__number",
            "polling_station__region__code",
            "polling_station__region__name_en",
            "polling_station__region__name_ru",
            "polling_station__region__name_kk",
        )
        .order_by("polling_station__number", "id")
    )
