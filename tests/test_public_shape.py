"""The public shape of an incident: one list of public fields, coarse points, no private detail."""

import datetime
from decimal import Decimal

import pytest

from incidents import selectors
from incidents.models import DETAIL_MODELS, DatePrecision, Incident, IncidentKind, Status
from incidents.public import shape as public

from . import factories
from .public_data import published

pytestmark = pytest.mark.django_db


def concrete_fields(model):
    return {field.name for field in model._meta.concrete_fields}


def test_every_incident_column_is_classified():
    classified = set(public.PUBLIC_INCIDENT_FIELDS) | set(public.PRIVATE_INCIDENT_FIELDS) | {"id", "status"}
    assert concrete_fields(Incident) == classified


@pytest.mark.parametrize("kind", list(DETAIL_MODELS))
def test_every_detail_column_is_classified(kind):
    model = DETAIL_MODELS[kind]
    classified = set(public.PUBLIC_DETAIL_FIELDS[kind]) | set(public.PRIVATE_DETAIL_FIELDS[kind]) | {"incident"}
    assert concrete_fields(model) == classified


def test_detained_names_are_private():
    assert "detained_names" not in public.PUBLIC_DETAIL_FIELDS[IncidentKind.DETENTION]
    assert "detention__detained_names" in public.private_columns()


def shape(incident):
    return public.from_incident(selectors.incidents_public().get(pk=incident.pk))


def test_sensitive_point_is_coarsened_to_a_tenth_of_a_degree(election, region):
    incident = published(
        election, region, latitude=Decimal("43.238949"), longitude=Decimal("76.889709"), is_sensitive=True
    )
    result = shape(incident)
    assert (result.latitude, result.longitude) == (Decimal("43.2"), Decimal("76.9"))
    assert result.placement == public.Placement.COARSENED


def test_point_that_is_not_sensitive_is_exact(election, region):
    incident = published(election, region, latitude=Decimal("43.238949"), longitude=Decimal("76.889709"))
    result = shape(incident)
    assert (result.latitude, result.longitude) == (Decimal("43.238949"), Decimal("76.889709"))


def test_no_point_falls_back_to_the_region_centre_then_to_none(election, region):
    assert shape(published(election, region)).placement == public.Placement.REGION
    result = shape(published(election, None))
    assert result.placement == public.Placement.NONE and not result.has_point


def test_unpublished_incident_has_no_public_shape(election, region):
    incident = factories.IncidentFactory(election=election, region=region, status=Status.VERIFIED)
    with pytest.raises(ValueError):
        public.from_incident(incident)


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (DatePrecision.EXACT, "Jan. 10, 2021, 3:15 p.m."),
        (DatePrecision.APPROXIMATE, "about Jan. 10, 2021, 3:15 p.m."),
        (DatePrecision.DAY, "Jan. 10, 2021"),
    ],
)
def test_time_to_its_precision_in_the_election_time_zone(election, region, precision, expected):
    # 09:15 UTC is 15:15 in Almaty (UTC+6 in 2021).
    incident = published(
        election,
        region,
        occurred_at=datetime.datetime(2021, 1, 10, 9, 15, tzinfo=datetime.UTC),
        occurred_precision=precision,
    )
    assert shape(incident).occurred_text == expected


def test_details_of_a_detention_in_public_order(election, region):
    incident = published(election, region, kind=IncidentKind.DETENTION)
    incident.detention.detained_names = "Secret Person"
    incident.detention.save()
    result = shape(incident)
    fields = [detail.field for detail in result.details]
    assert fields == list(public.PUBLIC_DETAIL_FIELDS[IncidentKind.DETENTION])
    texts = {detail.field: detail.text for detail in result.details}
    assert texts["detained_by"] == "Police" and texts["detained_groups"] == "Protesters"
    assert "Secret Person" not in repr(result)


def test_csv_row_matches_the_header(election, region):
    result = shape(published(election, region, kind=IncidentKind.INTERNET_BLOCKAGE))
    header = public.csv_header()
    row = dict(zip(header, public.csv_row(result), strict=True))
    assert row["kind"] == "internet_blockage"
    assert row["internet_blockage.services"] == "whatsapp;telegram"
    assert row["detention.people_detained"] is None


def test_geojson_feature_has_lon_lat_order(election, region):
    feature = public.geojson_feature(shape(published(election, region)))
    assert feature["geometry"] == {"type": "Point", "coordinates": [76.89, 43.24]}
    assert feature["properties"]["location_precision"] == "region"
