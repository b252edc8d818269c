"""Reads for the PVT pages, exports and API: the estimate beside the official result.

Only copies that count (``ProtocolCopy.objects.counted()``: verified, in no open
conflict) are read, and never who copied them. The estimate is computed by
``incidents.results.pvt.ratio_estimate``; nothing here recomputes it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Prefetch
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
    """Stations per stratum, counted from the (election, region) index; the regions' codes read apart."""
    fields = ["region_id", "area"] if strata == SampleStrata.REGION_AREA else ["region_id"]
    counts = list(
        PollingStation.objects.filter(election=election).order_by().values(*fields).annotate(stations=Count("id"))
    )
    codes = dict(Region.objects.filter(pk__in={row["region_id"] for row in counts}).values_list("pk", "code"))
    sizes = {}
    for row in counts:
        key = codes[row["region_id"]]
        if strata == SampleStrata.REGION_AREA:
            key = f"{key}/{row['area'] or 'unknown'}"
        sizes[key] = row["stations"]
    return sizes


def _region_of(stratum):
    return stratum.split("/", 1)[0]


class JsonInteger(Func):
    """One key of a JSON object column, as an integer read by the database: no JSON is decoded in Python.

    (Django's key lookups take a key of digits, as party ids are, for a list index on PostgreSQL.)
    """

    output_field = IntegerField()

    def __init__(self, field_name, key):
        super().__init__(F(field_name))
        self.key = str(key)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(json_extract({sql}, %s) AS INTEGER)", [*params, f'$."{self.key}"']

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(({sql}) ->> %s)::integer", [*params, self.key]


@dataclass(frozen=True)
class Figure:
    """What is estimated: turnout (cast / registered) or a party's share (its votes / valid).

    ``y`` and ``x`` are the (JSON field, key) of its numerator and denominator in a copy.
    """

    key: str
    label: str
    colour: str
    party_id: int | None
    y: tuple
    x: tuple


def _figures(roles, parties):
    figures = []
    if roles.get(LineRole.CAST) and roles.get(LineRole.REGISTERED):
        cast, registered = ("lines", roles[LineRole.CAST]), ("lines", roles[LineRole.REGISTERED])
        figures.append(Figure("turnout", _("Turnout"), "#555555", None, cast, registered))
    if roles.get(LineRole.VALID):
        valid = ("lines", roles[LineRole.VALID])
        figures += [
            Figure(party.short_name, party.name, party.colour, party.pk, ("party_votes", str(party.pk)), valid)
            for party in parties
        ]
    return figures


def sample_reports(sample, columns):
    """A sample's counted copies: ``(stratum sizes, {stratum: [column values]}, sampled per stratum)``.

    For each stratum, one list per column of ``columns`` (a list of (JSON field, key)), in that
    order, 0 where a figure is missing: one station's copy is the i-th item of every list.
    """
    sizes = _stratum_sizes(sample.election_id, sample.strata)
    names = {f"figure_{index}": JsonInteger(*column) for index, column in enumerate(columns)}
    copies = (
        ProtocolCopy.objects.counted()
        .filter(election_id=sample.election_id, polling_station__pvt_entries__sample=sample)
        .order_by("polling_station_id", "id")
        .annotate(**names)
        .values_list("polling_station_id", "polling_station__pvt_entries__stratum", *names)
    )
    # Read through the cursor: the database gives integers already, and the ORM's per-value
    # converters would cost more than the estimate itself (docs/benchmarks.md).
    sql, params = copies.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reports = defaultdict(lambda: [[] for _ in columns])
    seen = set()
    for station_id, stratum, *figures in rows:
        if station_id in seen:  # copies that count agree with each other: one per station
            continue
        seen.add(station_id)
        for values, figure in zip(reports[stratum], figures, strict=True):
            values.append(figure or 0)
    sampled = dict(
        PvtStation.objects.filter(sample=sample).values("stratum").annotate(n=Count("id")).values_list("stratum", "n")
    )
    return sizes, dict(reports), sampled


def _moments(figure, reports, columns):
    """Each stratum's moments for ``figure``: every stratum read once, for the country and its regions alike."""
    y, x = columns.index(figure.y), columns.index(figure.x)
    return {stratum: pvt.moments_of_columns(lists[y], lists[x]) for stratum, lists in reports.items()}


def _comparisons(figures, moments, sizes, official_turnout, official_shares):
    return [
        Comparison(
            figure.key,
            figure.label,
            figure.colour,
            pvt.estimate_from_moments(moments[figure.key], sizes),
            official_turnout if figure.party_id is None else official_shares.get(figure.party_id),
        )
        for figure in figures
    ]


def pvt_overview(election, *, regions=True):
    """The estimate of the election, nationally and (with ``regions``) per region, beside the official figures."""
    if election is None:
        return PvtOverview(election=None, sample=None)
    sample = PvtSample.objects.filter(election=election).first()
    if sample is None:
        return PvtOverview(election=election, sample=None)
    sample.election = election
    roles = {role: code for code, role in ProtocolLine.objects.filter(election=election).values_list("code", "role")}
    parties = list(election.parties.all())
    figures = _figures(roles, parties)
    columns = list(dict.fromkeys(column for figure in figures for column in (figure.y, figure.x)))
    sizes, reports, sampled = sample_reports(sample, columns)
    moments = {figure.key: _moments(figure, reports, columns) for figure in figures}
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
            figures, moments, sizes, _share(national_result.turnout) if national_result else None, national_shares
        ),
        sampled=sum(sampled.values()),
        reported=sum(len(lists[0]) for lists in reports.values() if lists),
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
                        figures,
                        moments,
                        {s: sizes[s] for s in strata},
                        _share(result.turnout) if result else None,
                        shares,
                    ),
                    sampled=sum(sampled.get(s, 0) for s in strata),
                    reported=sum(len(reports[s][0]) for s in strata if reports.get(s)),
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
