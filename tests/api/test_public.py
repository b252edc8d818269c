"""The public endpoints: no login, the same data and filters as the public pages."""

import csv
import io
import json

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import IncidentKind, Status

from .. import factories
from ..conftest import publish
from ..public_data import many_published, published
from .conftest import body

pytestmark = pytest.mark.django_db


def test_elections_list_and_detail_with_national_result(api, election):
    national = factories.OfficialResultFactory(election=election, region=None)
    party = factories.PartyFactory(election=election, short_name="Nur Otan")
    factories.PartyResultFactory(result=national, party=party, votes=29_000)
    listed = api.get(reverse("api-election-list")).json()
    assert [item["slug"] for item in listed] == ["kz-test"]
    detail = api.get(reverse("api-election-detail", args=["kz-test"])).json()
    assert detail["national_result"]["turnout"] == 60.0
    assert detail["national_result"]["parties"] == [
        {"party": "Nur Otan", "party_name": "Nur Otan", "votes": 29000, "share": 50.0, "seats": None}
    ]


def test_unknown_election_is_a_404_in_the_error_format(api, election):
    response = api.get(reverse("api-election-detail", args=["nope"]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_regions_with_results_and_incident_counts(api, election, region):
    factories.OfficialResultFactory(
        election=election, region=region, registered_voters=1000, ballots_cast=300, valid_votes=290, invalid_votes=10
    )
    child = factories.RegionFactory(code="KZ-75-1", parent=region, level="district")
    published(election, child, kind=IncidentKind.DETENTION)
    data = api.get(reverse("api-region-list")).json()
    by_code = {item["code"]: item for item in data}
    assert by_code["KZ-75"]["result"]["turnout"] == 30.0
    assert by_code["KZ-75"]["incidents"] == {"total": 1, "by_kind": {"detention": 1}}
    assert by_code["KZ-75-1"]["parent"] == "KZ-75"
    detail = api.get(reverse("api-region-detail", args=["kz-75"])).json()
    assert detail["sub_regions"] == ["KZ-75-1"]
    assert detail["incidents"]["total"] == 1


def test_region_list_for_an_unknown_election_is_400(api, election):
    response = api.get(reverse("api-region-list"), {"election": "nope"})
    assert response.status_code == 400
    assert "election" in response.json()["error"]["fields"]


def test_stations_and_parties_of_the_current_election(api, election, polling_station):
    other = factories.ElectionFactory(slug="other")
    factories.PollingStationFactory(election=other, number="1")
    factories.PartyFactory(election=election, short_name="Ak Zhol", ballot_number=2)
    stations = api.get(reverse("api-polling-station-list")).json()
    assert [s["number"] for s in stations["results"]] == ["75-001"]
    assert stations["results"][0]["region"] == "KZ-75"
    assert api.get(reverse("api-polling-station-list"), {"election": "other"}).json()["count"] == 1
    parties = api.get(reverse("api-party-list")).json()
    assert [p["short_name"] for p in parties] == ["Ak Zhol"]


def test_incident_list_uses_the_public_filters(api, election, region):
    other_region = factories.RegionFactory(code="KZ-11")
    detention = published(election, region, kind=IncidentKind.DETENTION)
    published(election, other_region, kind=IncidentKind.OTHER)
    data = api.get(reverse("api-incident-list"), {"kind": "detention"}).json()
    assert [item["reference"] for item in data["results"]] == [detention.reference]
    assert data["results"][0]["details"]["people_detained"] == 12
    data = api.get(reverse("api-incident-list"), {"region": "KZ-11"}).json()
    assert len(data["results"]) == 1 and data["results"][0]["details"] is None


def test_invalid_filter_is_a_400_naming_the_filter(api, election):
    response = api.get(reverse("api-incident-list"), {"kind": "parade", "date_from": "yesterday"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"kind", "date_from"}


def test_cursor_pages_walk_every_incident_once(api, election, region):
    incidents = many_published(election, [region], 23)
    seen, url, query = [], reverse("api-incident-list"), {"page_size": 10}
    while url:
        data = api.get(url, query).json()
        seen += [item["reference"] for item in data["results"]]
        url, query = data["next"], None
    assert seen == [incident.reference for incident in sorted(incidents, key=lambda i: i.occurred_at, reverse=True)]


def test_cursor_follows_the_chosen_sort(api, election, region):
    incidents = many_published(election, [region], 5)
    data = api.get(reverse("api-incident-list"), {"sort": "occurred", "page_size": 2}).json()
    assert [item["reference"] for item in data["results"]] == [i.reference for i in incidents[:2]]
    data = api.get(data["next"]).json()
    assert [item["reference"] for item in data["results"]] == [i.reference for i in incidents[2:4]]


def test_bad_cursor_and_page_size_are_400(api, election):
    assert api.get(reverse("api-incident-list"), {"cursor": "garbage"}).status_code == 400
    response = api.get(reverse("api-incident-list"), {"page_size": 100_000})
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_incident_detail_and_retraction_notice(api, submit, moderator):
    incident = publish(submit(), moderator, summary="Observers were kept out.")
    data = api.get(reverse("api-incident-detail", args=[incident.reference.lower()])).json()
    assert data["public_summary"] == "Observers were kept out."
    assert data["url"].endswith(incident.get_absolute_url())
    services.incident_transition(
        incident=incident, to_status=Status.RETRACTED, actor=moderator, comment="Withdrawn: a mistaken report."
    )
    response = api.get(reverse("api-incident-detail", args=[incident.reference]))
    assert response.status_code == 410
    assert response.json()["error"] == {
        "code": "retracted",
        "message": f"Incident {incident.reference} was retracted.",
        "fields": {},
        "retraction_notice": "Withdrawn: a mistaken report.",
    }


def test_unpublished_incident_is_404(api, submit):
    response = api.get(reverse("api-incident-detail", args=[submit().reference]))
    assert response.status_code == 404


def test_csv_and_geojson_stream_the_filtered_list(api, election, region):
    detention = published(election, region, kind=IncidentKind.DETENTION)
    published(election, region, kind=IncidentKind.OTHER)
    response = api.get(reverse("api-incident-csv"), {"kind": "detention"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert [row["reference"] for row in rows] == [detention.reference]
    assert rows[0]["detention.people_detained"] == "12"
    response = api.get(reverse("api-incident-geojson"), {"kind": "detention"}, HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    assert [feature["id"] for feature in collection["features"]] == [detention.reference]


def test_exports_answer_bad_filters_in_json(api, election):
    response = api.get(reverse("api-incident-csv"), {"kind": "parade"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(body(response))["error"]["fields"]["kind"]


def test_unknown_address_under_api_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_public_endpoints_refuse_writes(api, election):
    response = api.post(reverse("api-incident-list"), {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
