"""Geography and official results: the region tree, results per region beside incident counts."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch

from .. import collation
from ..models import (
    Incident,
    IncidentKind,
    OfficialResult,
    PartyResult,
    Region,
)

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


def official_result(election, region=None):
    """The official result of ``election`` for ``region`` (national when None), its party
    votes loaded largest first, or None. Two queries."""
    return (
        OfficialResult.objects.filter(election=election, region=region, polling_station=None)
        .prefetch_related(
            Prefetch(
                "party_results",
                queryset=PartyResult.objects.select_related("party").order_by("-votes", "party__ballot_number"),
            )
        )
        .first()
    )


def regional_results(election):
    """``{region_id: result}`` of every regional official result of ``election`` (no party votes), one query."""
    return {
        result.region_id: result
        for result in OfficialResult.objects.filter(election=election, region__isnull=False, polling_station=None)
    }


def incident_counts(election, queryset=None):
    """``{(region_id, kind): count}`` of published incidents, in one grouped query."""
    queryset = Incident.objects.published().filter(election=election) if queryset is None else queryset
    rows = queryset.order_by().values_list("region_id", "kind").annotate(count=Count("pk"))
    return {(region_id, kind): count for region_id, kind, count in rows}


def roll_up_counts(counts, children, region_id):
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
        national = official_result(election)
    national_turnout = national.turnout if national else None
    every_region = list(Region.objects.all())
    children = region_children(every_region)
    parent_id = parent.pk if parent is not None else None
    regions = [region for region in every_region if every_level or region.parent_id == parent_id]
    results = regional_results(election)
    counts = incident_counts(election) if counts is None else counts
    summaries = []
    for region in regions:
        rolled = roll_up_counts(counts, children, region.pk)
        if region.country != election.country and region.pk not in results and not rolled:
            continue
        summaries.append(RegionSummary(region, results.get(region.pk), national_turnout, rolled))
    return summaries


REGION_SORTS = {
    "name": lambda s, name: (name,),
    "turnout": lambda s, name: (s.turnout is None, s.turnout or 0, name),
    "-turnout": lambda s, name: (s.turnout is None, -(s.turnout or 0), name),
    "incidents": lambda s, name: (s.incidents, name),
    "-incidents": lambda s, name: (-s.incidents, name),
}


def sort_region_summaries(summaries, sort):
    """Sort by a key of REGION_SORTS; regions without a turnout go last. Names are compared in the
    alphabet of the active language (``collation``), so that Ақмола comes before Атырау."""
    name_key = collation.name_key()
    return sorted(summaries, key=lambda summary: REGION_SORTS[sort](summary, name_key(summary.region.name)))
