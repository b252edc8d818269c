"""CSV and GeoJSON exports, the Atom feed and the map data: filtered, streamed, bounded in queries."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from incidents.models import IncidentKind, Status
from incidents.public import shape as public

from . import factories
from .public_data import many_published, published

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_csv_export_is_streamed_and_filtered(client, election, region):
    detention = published(election, region, kind=IncidentKind.DETENTION, public_summary="=HYPERLINK(evil)")
    published(election, region, kind=IncidentKind.OTHER)
    response = client.get(reverse("incident-export-csv"), {"kind": "detention"})
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert [row["reference"] for row in rows] == [detention.reference]
    row = rows[0]
    assert list(row) == public.csv_header()
    assert row["public_summary"] == "'=HYPERLINK(evil)"  # a formula is never run by a spreadsheet
    assert row["detention.people_detained"] == "12" and row["url"].startswith("http://testserver/incidents/")
    assert row["occurred_at_local"] == "2021-01-10T14:00:00" and row["time_zone"] == "Asia/Almaty"


def test_geojson_export_is_streamed_valid_geojson(client, election, region):
    many_published(election, [region], 3)
    published(election, None)  # no point at all: a null geometry
    response = client.get(reverse("incident-export-geojson"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 4
    geometries = [feature["geometry"] for feature in data["features"]]
    assert None in geometries and {"type": "Point", "coordinates": [76.89, 43.24]} in geometries


def test_empty_exports_are_still_valid(client, election):
    assert json.loads(body(client.get(reverse("incident-export-geojson")))) == {
        "type": "FeatureCollection",
        "features": [],
    }
    assert body(client.get(reverse("incident-export-csv"))).count("\n") == 1


@pytest.mark.parametrize("name", ["incident-export-csv", "incident-export-geojson", "incident-feed", "region-map-data"])
def test_exports_refuse_invalid_filters_with_a_message(client, election, region, name):
    published(election, region)
    response = client.get(reverse(name), {"date_from": "2021-13-45"})
    assert response.status_code == 400
    assert "date_from" in body(response)


@pytest.mark.parametrize("name", ["incident-export-csv", "incident-export-geojson", "incident-feed", "region-map-data"])
def test_exports_run_a_fixed_number_of_queries(client, election, region, name, django_assert_max_num_queries):
    regions = [region, factories.RegionFactory(code="KZ-71"), factories.RegionFactory(code="KZ-79")]
    many_published(election, regions, 60)
    with django_assert_max_num_queries(5):
        response = client.get(reverse(name))
        body(response)
    assert response.status_code == 200


def test_atom_feed_lists_newly_published_first(client, election, region):
    now = datetime.datetime(2021, 1, 11, 12, tzinfo=datetime.UTC)
    older = published(election, region, published_at=now - datetime.timedelta(hours=2))
    newer = published(election, region, published_at=now)
    factories.IncidentFactory(election=election, region=region, status=Status.VERIFIED, public_summary="Not yet.")
    response = client.get(reverse("incident-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1] for entry in entries] == [
        newer.reference,
        older.reference,
    ]
    assert "Not yet." not in response.content.decode()


def test_map_data_counts_filtered_incidents_per_region(client, election, region):
    north = factories.RegionFactory(code="KZ-59")
    district = factories.RegionFactory(code="KZ-59-X", parent=north, latitude=None, longitude=None)
    factories.OfficialResultFactory(election=election, region=north)
    published(election, region, kind=IncidentKind.DETENTION)
    published(election, region, kind=IncidentKind.OTHER)
    published(election, district, kind=IncidentKind.DETENTION)  # no point: counted at its parent
    data = json.loads(body(client.get(reverse("region-map-data"), {"kind": "detention"})))
    counts = {feature["id"]: feature["properties"]["incidents"] for feature in data["features"]}
    assert counts == {"KZ-75": 1, "KZ-59": 1}
    north_feature = next(feature for feature in data["features"] if feature["id"] == "KZ-59")
    assert north_feature["properties"]["turnout"] == 60.0
    assert north_feature["properties"]["list_url"] == "/incidents/?kind=detention&region=KZ-59"
