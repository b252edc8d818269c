"""What the public reads: published incidents in their public shape, the national and regional overviews, the map."""

from dataclasses import dataclass
from decimal import Decimal

from ..models import (
    BlockageMeasurement,
    Election,
    Incident,
    IncidentKind,
    OfficialResult,
    PollingStation,
    Region,
    Status,
)
from ..public import shape
from .results import (
    KindCount,
    RegionSummary,
    incident_counts,
    official_result,
    region_and_descendant_ids,
    region_children,
    region_summaries,
    regional_results,
    roll_up_counts,
)


def measurement_links(incidents):
    """``{incident pk: [BlockageMeasurement with its measurement]}`` for the blockages among ``incidents``,
    in one query (none when there is no blockage among them)."""
    blockage_ids = [incident.pk for incident in incidents if incident.kind == IncidentKind.INTERNET_BLOCKAGE]
    links = {pk: [] for pk in blockage_ids}
    if blockage_ids:
        for link in BlockageMeasurement.objects.filter(incident_id__in=blockage_ids).select_related("measurement"):
            links[link.incident_id].append(link)
    return links


def election_current():
    """The election marked current, else the most recent one, else None."""
    elections = Election.objects.order_by("-is_current", "-election_day")
    return elections.first()


def election_switcher():
    """Every election for the site header's switcher, current first: ``[{"slug", "name", "is_current"}]``
    (plain values, names in the active language, so that they can be cached with a page). One query."""
    return [
        {"slug": election.slug, "name": election.name, "is_current": election.is_current}
        for election in Election.objects.order_by("-is_current", "-election_day")
    ]


def incidents_public(election=None):
    """Published incidents with everything ``shape.from_incident`` reads, in one query.

    Private columns are not even loaded. Filter it with ``filters.PublicIncidentFilter``.
    """
    queryset = _public_shape(Incident.objects.published())
    if election is not None:
        queryset = queryset.filter(election=election)
    return queryset


def election_overview(election, *, latest=5, counts=None):
    """The national picture of ``election``: results, party votes and seats,
    incidents by kind, the latest published incidents (regions beside their
    incidents: ``region_summaries``, which the overview keeps drawn).
    ``counts``: ``incident_counts(election)`` when the caller has them already.

    Runs a fixed number of queries whatever the number of regions, parties and incidents.
    """
    if election is None:
        return {"election": None}
    national = official_result(election)
    parties = list(national.party_results.all()) if national else []
    counts = incident_counts(election) if counts is None else counts
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
        #: shown as cards (``public.cards``), which are cached whole
        "latest_ids": latest_ids,
    }


def _public_shape(queryset):
    """Load what the public shape needs in the same query, and never the private columns."""
    return (
        queryset.select_related("election", "region", "polling_station", *shape.detail_relations())
        .defer(*shape.private_columns())
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
        return shape.retracted(incident)
    attachments = incident.attachments.filter(is_public=True).order_by("created_at", "pk")
    return shape.from_incident(incident, attachments=attachments)


def incidents_public_page(ids, *, readable=True):
    """The public shapes of the incidents ``ids``, in that order (without texts for people
    unless ``readable``: the API sends raw values).

    Lists page in two steps: the ids of one page first (from the filtered
    queryset, an index scan of the incident table alone), then the rows of
    those ids with everything joined. Joining before sorting would make the
    database join every matching row to show twenty-five.
    """
    shaped = incidents_public_by_pk(ids, readable=readable)
    return [shaped[pk] for pk in ids if pk in shaped]


def incidents_public_by_pk(ids, *, readable=True):
    """``{pk: public shape}`` of the published incidents ``ids``: two queries (one without blockages)."""
    by_pk = {incident.pk: incident for incident in incidents_public().filter(pk__in=set(ids))}
    links = measurement_links(by_pk.values())
    return {
        pk: shape.from_incident(incident, readable=readable, measurement_links=links.get(pk))
        for pk, incident in by_pk.items()
    }


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
    rows = queryset.select_related(None).select_related(*shape.detail_relations())
    chunk = []
    for incident in rows.iterator(chunk_size=EXPORT_CHUNK):
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
        chunk.append(incident)
        if len(chunk) == EXPORT_CHUNK:
            yield from _shapes(chunk, readable)
            chunk = []
    yield from _shapes(chunk, readable)


#: rows fetched at once by an export (and the blockages' measurements looked up for them in one query)
EXPORT_CHUNK = 2000


def _shapes(incidents, readable):
    links = measurement_links(incidents)
    for incident in incidents:
        yield shape.from_incident(incident, readable=readable, measurement_links=links.get(incident.pk))


@dataclass
class RegionOverview:
    region: Region
    summary: RegionSummary
    result: OfficialResult | None
    party_results: list
    national: OfficialResult | None
    sub_regions: list
    #: the latest published incidents' ids, shown as cards (``public.cards``), which are cached whole
    latest_ids: list
    #: every top-level region's summary, for the map of the country
    country: list
    #: the region's id and those of the regions within it
    region_ids: set


#: blockages listed on a region's page at most, most recent first
REGION_BLOCKAGES = 50


def region_overview(election, region, *, latest=20, counts=None):
    """One region: its result and party votes, the national figure, sub-regions,
    incidents by kind and the ids of its latest published incidents (its internet
    blockages: ``region_blockage_ids``). A fixed number of queries. ``counts``:
    ``incident_counts(election)`` when the caller has them already."""
    national = official_result(election) if election else None
    result = None
    if election is not None:
        result = official_result(election, region)
    children = region_children()
    region_ids = region_and_descendant_ids(region, children)
    # Counts of the whole election: the region's own roll up from them, and the map of the country needs them all.
    if counts is None:
        counts = incident_counts(election) if election is not None else {}
    national_turnout = national.turnout if national else None
    summary = RegionSummary(region, result, national_turnout, roll_up_counts(counts, children, region.pk))
    sub_regions = (
        region_summaries(election, national=national, parent=region, counts=counts) if children.get(region.pk) else []
    )
    ids = []
    if election is not None and latest:
        ids = list(
            Incident.objects.published()
            .filter(election=election, region_id__in=region_ids)
            .order_by("-published_at", "-id")
            .values_list("pk", flat=True)[:latest]
        )
    return RegionOverview(
        region=region,
        summary=summary,
        result=result,
        party_results=list(result.party_results.all()) if result else [],
        national=national,
        sub_regions=sub_regions,
        latest_ids=ids,
        region_ids=region_ids,
        country=region_summaries(election, national=national, counts=counts) if election is not None else [],
    )


def region_blockage_ids(election, region_ids, *, limit=REGION_BLOCKAGES):
    """The ids of the internet blockages published in the regions ``region_ids`` (a region and
    those within it: ``RegionOverview.region_ids``), the most recent first, at most ``limit``."""
    return list(
        Incident.objects.published()
        .filter(
            election=election,
            region_id__in=region_ids,
            kind=IncidentKind.INTERNET_BLOCKAGE,
        )
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)[:limit]
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
        turnouts = {region_id: result.turnout for region_id, result in regional_results(election).items()}
    markers = []
    for region in sorted(regions.values(), key=lambda r: r.code):
        listed = region.parent_id is None and election is not None and region.country == election.country
        if region.has_point and (listed or region.pk in counts or region.pk in turnouts):
            markers.append(RegionMarker(region, counts.get(region.pk, 0), turnouts.get(region.pk)))
    return markers
