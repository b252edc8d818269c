"""The public shape of an incident, defined once.

Every public surface — the list and incident pages, region pages, the map
data, the CSV and GeoJSON exports, the Atom feed and the public API — turns
an Incident into a :class:`PublicIncident` here and shows only what that holds.
A field that is not named in this module is not public: adding a column to a
model publishes nothing until it is listed here.

Coordinates: an exact point is public unless the report is marked sensitive;
a sensitive point is snapped to a 0.1° grid (about 10 km); an incident with
no point is placed at its region's centre, marked as approximate.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ..models import DETAIL_MODELS, DatePrecision, IncidentKind, Status, Verification
from ..models.base import TranslatedText, translated_text

#: the incident columns a public page, export or API answer may show
PUBLIC_INCIDENT_FIELDS = (
    "reference",
    "election",
    "kind",
    "region",
    "polling_station",
    "occurred_at",
    "occurred_precision",
    "public_summary",
    "public_summary_ru",
    "public_summary_kk",
    "verification",
    "published_at",
    "retraction_notice",
    "retraction_notice_ru",
    "retraction_notice_kk",
    "latitude",
    "longitude",
    "is_sensitive",
)

#: the incident columns a public query never loads (see ``incidents_public``)
PRIVATE_INCIDENT_FIELDS = (
    "description",
    "location_text",
    "source",
    "source_url",
    "reporter",
    "assignee",
    "claimed_at",
    "client_token",
    "client_fingerprint",
    "version",
    "created_at",
    "updated_at",
    "duplicate_of",
    "is_demo",
    "needs_second_approval",
)

#: the public fields of each kind's detail table; everything else there is private
PUBLIC_DETAIL_FIELDS = {
    IncidentKind.DETENTION: (
        "people_detained",
        "people_detained_is_minimum",
        "detained_groups",
        "detained_by",
        "circumstances",
        "release_status",
        "released_at",
        "charges",
        "injuries_reported",
    ),
    IncidentKind.DENIED_ACCESS: (
        "person_role",
        "people_affected",
        "stage",
        "methods",
        "reason_given",
        "denied_by",
        "accreditation_shown",
    ),
    IncidentKind.INTERNET_BLOCKAGE: (
        "scope",
        "blockage_type",
        "services",
        "providers",
        "started_at",
        "ended_at",
        "measurement_url",
        "official_justification",
        "ordered_by",
        "officially_acknowledged",
        "source_links",
    ),
}

#: private columns of the detail tables; never loaded by a public query
PRIVATE_DETAIL_FIELDS = {
    IncidentKind.DETENTION: ("detained_names",),
    IncidentKind.DENIED_ACCESS: (),
    IncidentKind.INTERNET_BLOCKAGE: (),
}


#: the incident's public texts written by a person (a moderator): the personal-data guard reads each
PUBLIC_INCIDENT_TEXT_FIELDS = ("public_summary", "retraction_notice")


def public_text_fields(kind):
    """The public detail fields of ``kind`` that hold free text (typed by the observer, checked by a
    moderator): every public text or URL column without a list of choices. The personal-data guard reads
    each of them at publish and at every later edit (``services.refuse_personal_data_in_public_texts``)."""
    model = DETAIL_MODELS.get(kind)
    if model is None:
        return []
    fields = []
    for name in PUBLIC_DETAIL_FIELDS[kind]:
        field = model._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            fields.append(name)
    return fields


def detail_fields(kind):
    """The fields of ``kind``'s details that a report gives (its forms, its API): public ones, then private."""
    return [*PUBLIC_DETAIL_FIELDS[kind], *PRIVATE_DETAIL_FIELDS[kind]]


#: grid step for sensitive points: 0.1° is about 11 km north-south, 8 km east-west at 45°N
COARSE_STEP = Decimal("0.1")


class Placement:
    """How precise a public point is."""

    EXACT = "exact"
    COARSENED = "coarsened"
    REGION = "region"
    NONE = "none"

    LABELS = {
        EXACT: _("exact"),
        COARSENED: _("approximate (about 10 km), to protect people there"),
        REGION: _("centre of the region"),
        NONE: _("no location"),
    }


@functools.lru_cache(maxsize=1024)
def _label(choices, value, language):
    return str(choices(value).label)


def label(choices, value, language=None):
    """The label of ``value`` in ``language`` (the active one by default), looked up once per language."""
    return _label(choices, value, language or get_language())


@functools.lru_cache(maxsize=1)
def _incident_path_prefix():
    return reverse("incident-detail", args=["X"])[: -len("X/")]


def incident_path(reference):
    """``Incident.get_absolute_url`` without resolving the URL for every row of an export."""
    return f"{_incident_path_prefix()}{reference}/"


@functools.lru_cache(maxsize=4096)
def region_path(code):
    return reverse("region-detail", args=[code])


def detail_relations():
    """The related names of the detail tables, for ``select_related``."""
    return [model._meta.get_field("incident").remote_field.related_name for model in DETAIL_MODELS.values()]


def private_columns():
    """Private columns as ``defer()`` paths, so that public queries never load them."""
    deferred = list(PRIVATE_INCIDENT_FIELDS)
    for kind, fields in PRIVATE_DETAIL_FIELDS.items():
        relation = DETAIL_MODELS[kind]._meta.get_field("incident").remote_field.related_name
        deferred += [f"{relation}__{field}" for field in fields]
    return deferred


def coarsen(value):
    return (Decimal(value) / COARSE_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP) * COARSE_STEP


def public_point(incident):
    """``(latitude, longitude, placement)`` safe to publish for ``incident``."""
    if incident.latitude is not None and incident.longitude is not None:
        if incident.is_sensitive:
            return coarsen(incident.latitude), coarsen(incident.longitude), Placement.COARSENED
        return incident.latitude, incident.longitude, Placement.EXACT
    region = incident.region
    if region is not None and region.latitude is not None and region.longitude is not None:
        return region.latitude, region.longitude, Placement.REGION
    return None, None, Placement.NONE


@dataclass(frozen=True)
class PublicDetail:
    """One public fact of the kind's details: ``value`` raw (for exports), ``text`` for people."""

    field: str
    label: str
    value: object
    text: str
    is_link: bool = False


@dataclass(frozen=True)
class PublicAttachment:
    url: str
    kind: str
    kind_label: str
    content_type: str
    size: int

    @property
    def is_photo(self):
        return self.kind == "photo" and self.content_type in ("image/jpeg", "image/png", "image/webp")

    @property
    def phone_url(self):
        """The photo scaled down for a phone (the full file stays at ``url``)."""
        return f"{self.url}?size=phone"


@dataclass(frozen=True)
class PublicMeasurement:
    """An OONI measurement a moderator attached to a blockage as evidence (OONI's public data)."""

    measurement_uid: str
    url: str
    test_name: str
    probe_cc: str
    probe_asn: int
    probe_network_name: str
    input: str
    measurement_start_time: datetime.datetime
    anomaly: bool
    confirmed: bool
    failure: bool


@dataclass(frozen=True)
class PublicIncident:
    """What the public may know about a published incident. Built by :func:`from_incident`."""

    reference: str
    url: str
    election_slug: str
    election_name: str
    time_zone: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    region_url: str
    polling_station_number: str
    polling_station_name: str
    occurred_at: datetime.datetime
    occurred_local: datetime.datetime
    occurred_precision: str
    occurred_text: str
    public_summary: str
    verification: str
    verification_label: str
    published_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    placement: str
    details: tuple[PublicDetail, ...]
    corroborating_reports: int | None = None
    attachments: tuple[PublicAttachment, ...] = ()
    election_country: str = ""
    measurements: tuple[PublicMeasurement, ...] = ()

    @property
    def blockage(self):
        """The blockage's public facts by field name (empty for other kinds)."""
        if self.kind != IncidentKind.INTERNET_BLOCKAGE:
            return {}
        return {detail.field: detail for detail in self.details}

    #: the public summary in the reader's language, or the language it falls back to
    summary: TranslatedText | None = None

    @property
    def placement_label(self):
        return Placement.LABELS[self.placement]

    @property
    def occurred_datetime_attribute(self):
        """For ``<time datetime>``: the local date alone for a "day only" report, else the instant."""
        if self.occurred_precision == DatePrecision.DAY:
            return self.occurred_local.date().isoformat()
        return self.occurred_at.isoformat()

    @property
    def has_point(self):
        return self.latitude is not None


@dataclass(frozen=True)
class RetractedIncident:
    """All the public sees of a retracted incident: that it was withdrawn, and why."""

    reference: str
    url: str
    retraction_notice: str
    is_retracted: bool = True
    #: the notice in the reader's language, or the language it falls back to
    notice: TranslatedText | None = None


def public_time(occurred_at, precision, zone):
    """``(occurred_at in UTC, in local time)`` as precise as the report: a "day only" report's time is
    the start of its local day, so no export, API answer or page gives a time finer than the day."""
    local = occurred_at.astimezone(zone)
    if precision == DatePrecision.DAY:
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return local.astimezone(datetime.UTC), local
    return occurred_at, local


def occurred_text(local, precision):
    """When it happened, to its precision, in the election's local time."""
    if precision == DatePrecision.DAY:
        return formats.date_format(local, "DATE_FORMAT")
    text = formats.date_format(local, "DATETIME_FORMAT")
    if precision == DatePrecision.APPROXIMATE:
        return gettext("about %(time)s") % {"time": text}
    return text


def _text(model, field_name, value, zone):
    field = model._meta.get_field(field_name)
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value.astimezone(zone), "DATETIME_FORMAT")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        vocabulary = next((v.choices for v in field.validators if hasattr(v, "choices")), None)
        labels = dict(vocabulary.choices) if vocabulary is not None else {}
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)


#: facts that only qualify another: shown only when that other fact was given
UNLESS_GIVEN = {"people_detained_is_minimum": "people_detained"}


def public_details(incident, *, readable=True):
    """The public facts of the incident's kind, in a fixed order (without texts for people unless ``readable``)."""
    fields = PUBLIC_DETAIL_FIELDS.get(incident.kind)
    detail = incident.detail if fields else None
    if detail is None:
        return ()
    model = type(detail)
    zone = incident.election.zone
    facts = []
    for name in fields:
        value = getattr(detail, name)
        if name in UNLESS_GIVEN and getattr(detail, UNLESS_GIVEN[name]) in (None, ""):
            continue  # "at least this many: no" says nothing when no number was given
        field = model._meta.get_field(name)
        facts.append(
            PublicDetail(
                field=name,
                label=str(field.verbose_name) if readable else name,
                value=value,
                text=_text(model, name, value, zone) if readable else "",
                is_link=name == "measurement_url" and bool(value),
            )
        )
    return tuple(facts)


def public_attachments(attachments):
    """Links to the files a moderator made public. Never their names or hashes."""
    return tuple(
        PublicAttachment(
            url=reverse("attachment-file", args=[attachment.pk]),
            kind=attachment.kind,
            kind_label=attachment.get_kind_display(),
            content_type=attachment.content_type,
            size=attachment.size,
        )
        for attachment in attachments
        if attachment.is_public
    )


def public_measurements(incident, links=None):
    """The OONI measurements attached to a blockage, oldest first. ``links`` are its
    ``BlockageMeasurement`` rows with their measurement, when the caller loaded them for many
    incidents at once (``selectors.public``); otherwise they are read here (one query)."""
    if incident.kind != IncidentKind.INTERNET_BLOCKAGE:
        return ()
    if links is None:
        links = incident.ooni_links.select_related("measurement")
    return tuple(
        PublicMeasurement(
            measurement_uid=m.measurement_uid,
            url=m.explorer_url,
            test_name=m.test_name,
            probe_cc=m.probe_cc,
            probe_asn=m.probe_asn,
            probe_network_name=m.probe_network_name,
            input=m.input,
            measurement_start_time=m.measurement_start_time,
            anomaly=m.anomaly,
            confirmed=m.confirmed,
            failure=m.failure,
        )
        for m in sorted(
            (link.measurement for link in links), key=lambda m: (m.measurement_start_time, m.measurement_uid)
        )
    )


def from_incident(incident, *, attachments=(), readable=True, measurement_links=None):
    """The public shape of a published ``incident``.

    ``incident`` should come from ``selectors.incidents_public()`` (which
    loads the election, region, station and details in the same query).
    ``measurement_links``: the blockage's attached measurements, when loaded
    for many incidents at once (read here otherwise).
    Anything but a published incident is refused. Exports pass
    ``readable=False``: they take raw values, so the texts for people
    (localized time, detail texts) are left empty.
    """
    if incident.status != Status.PUBLISHED:
        raise ValueError(f"{incident.reference} is not published")
    election = incident.election
    language = get_language()
    zone = election.zone
    occurred_at, local = public_time(incident.occurred_at, incident.occurred_precision, zone)
    latitude, longitude, placement = public_point(incident)
    region = incident.region
    # A sensitive report's point is coarsened; naming its station would give the station's public
    # coordinates back, so the public does not learn the station either.
    station = None if incident.is_sensitive else incident.polling_station
    return PublicIncident(
        reference=incident.reference,
        url=incident_path(incident.reference),
        election_slug=election.slug,
        election_name=election.name_in(language),
        time_zone=election.time_zone,
        kind=incident.kind,
        kind_label=label(IncidentKind, incident.kind, language),
        region_code=region.code if region else "",
        region_name=region.name_in(language) if region else "",
        region_url=region_path(region.code) if region else "",
        polling_station_number=station.number if station else "",
        polling_station_name=station.name_text.text if station else "",
        occurred_at=occurred_at,
        occurred_local=local,
        occurred_precision=incident.occurred_precision,
        occurred_text=occurred_text(local, incident.occurred_precision) if readable else "",
        public_summary=incident.public_summary,
        verification=incident.verification,
        verification_label=label(Verification, incident.verification, language),
        published_at=incident.published_at,
        latitude=latitude,
        longitude=longitude,
        placement=placement,
        details=public_details(incident, readable=readable),
        corroborating_reports=getattr(incident, "corroborating_reports", None),
        attachments=public_attachments(attachments),
        election_country=election.country,
        measurements=public_measurements(incident, measurement_links),
        summary=translated_text(incident, "public_summary", language),
    )


def retracted(incident):
    if incident.status != Status.RETRACTED:
        raise ValueError(f"{incident.reference} is not retracted")
    return RetractedIncident(
        reference=incident.reference,
        url=incident.get_absolute_url(),
        retraction_notice=incident.retraction_notice,
        notice=translated_text(incident, "retraction_notice"),
    )


# Exports ---------------------------------------------------------------------------------------------------------


def _detail_columns():
    return [(kind, field) for kind, fields in PUBLIC_DETAIL_FIELDS.items() for field in fields]


def csv_header():
    """Column names of the CSV export: stable codes, the same in every language."""
    return [
        "reference",
        "url",
        "election",
        "kind",
        "region_code",
        "region",
        "polling_station",
        "occurred_at_utc",
        "occurred_at_local",
        "time_zone",
        "occurred_precision",
        "verification",
        "published_at_utc",
        "latitude",
        "longitude",
        "location_precision",
        "corroborating_reports",
        "public_summary",
        *[f"{kind}.{field}" for kind, field in _detail_columns()],
        "ooni_measurement_count",
        "ooni_measurements",
    ]


def _raw(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def csv_row(incident: PublicIncident, *, base_url=""):
    """One CSV row (values, not yet made spreadsheet-safe: ``tabular.csv_lines`` does that)."""
    details = {detail.field: detail.value for detail in incident.details}
    return [
        incident.reference,
        base_url + incident.url,
        incident.election_slug,
        incident.kind,
        incident.region_code,
        incident.region_name,
        incident.polling_station_number,
        _raw(incident.occurred_at),
        incident.occurred_local.replace(tzinfo=None).isoformat(),
        incident.time_zone,
        incident.occurred_precision,
        incident.verification,
        _raw(incident.published_at),
        _raw(incident.latitude),
        _raw(incident.longitude),
        incident.placement,
        incident.corroborating_reports,
        incident.public_summary,
        *[_raw(details.get(field)) if kind == incident.kind else None for kind, field in _detail_columns()],
        len(incident.measurements) if incident.kind == IncidentKind.INTERNET_BLOCKAGE else None,
        " ".join(measurement.url for measurement in incident.measurements),
    ]


def _json_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def properties(incident: PublicIncident, *, base_url=""):
    """The public fields as a JSON-ready dict (GeoJSON properties; the API reuses it)."""
    return {
        "reference": incident.reference,
        "url": base_url + incident.url,
        "election": incident.election_slug,
        "kind": incident.kind,
        "kind_label": incident.kind_label,
        "region_code": incident.region_code or None,
        "region": incident.region_name or None,
        "polling_station": incident.polling_station_number or None,
        "occurred_at": _json_value(incident.occurred_at),
        "occurred_at_local": incident.occurred_local.isoformat(),
        "occurred_precision": incident.occurred_precision,
        "verification": incident.verification,
        "published_at": _json_value(incident.published_at),
        "location_precision": incident.placement,
        "corroborating_reports": incident.corroborating_reports,
        "public_summary": incident.public_summary,
        "details": {detail.field: _json_value(detail.value) for detail in incident.details},
        "ooni_measurement_count": len(incident.measurements),
        "ooni_measurements": [measurement_properties(measurement) for measurement in incident.measurements],
    }


def measurement_properties(measurement: PublicMeasurement):
    return {
        "measurement_uid": measurement.measurement_uid,
        "url": measurement.url,
        "test_name": measurement.test_name,
        "probe_cc": measurement.probe_cc,
        "probe_asn": f"AS{measurement.probe_asn}",
        "probe_network_name": measurement.probe_network_name or None,
        "input": measurement.input or None,
        "measurement_start_time": _json_value(measurement.measurement_start_time),
        "anomaly": measurement.anomaly,
        "confirmed": measurement.confirmed,
        "failure": measurement.failure,
    }


def geojson_feature(incident: PublicIncident, *, base_url=""):
    """A GeoJSON Feature; ``geometry`` is null when there is no public point."""
    geometry = None
    if incident.has_point:
        geometry = {"type": "Point", "coordinates": [float(incident.longitude), float(incident.latitude)]}
    return {
        "type": "Feature",
        "id": incident.reference,
        "geometry": geometry,
        "properties": properties(incident, base_url=base_url),
    }
