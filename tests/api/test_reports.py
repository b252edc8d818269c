"""Observers through the API: file a report of any kind with details and files, read their own
reports and the steps they may see, edit while editable, answer a question."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Attachment, Incident, IncidentEvent, IncidentKind, Status

from .. import factories
from ..samples import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db

DETENTION = {
    "kind": "detention",
    "region": "KZ-75",
    "polling_station": "75-001",
    "occurred_at": "2021-01-10T14:20:00+06:00",
    "occurred_precision": "approximate",
    "location_text": "Near the akimat",
    "description": "Police took three people into a van.",
    "latitude": 43.2389495,
    "longitude": 76.889709,
    "is_sensitive": True,
    "details": {
        "people_detained": 3,
        "detained_groups": ["protesters", "journalists"],
        "detained_by": "police",
        "detained_names": "A. B.",
    },
}


@pytest.fixture
def report_url():
    return reverse("api-report-list")


def test_file_a_detention_in_json(observer_api, observer, polling_station, report_url):
    response = observer_api.post(report_url, DETENTION, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    incident = Incident.objects.get(reference=data["reference"])
    assert incident.reporter == observer
    assert incident.polling_station == polling_station
    assert str(incident.latitude) == "43.238950"  # rounded to six places
    assert incident.detention.detained_names == "A. B."
    assert incident.occurred_at.isoformat() == "2021-01-10T08:20:00+00:00"
    assert data["details"]["detained_groups"] == ["protesters", "journalists"]
    assert data["status"] == "submitted" and data["can_edit"] is True
    assert [event["action"] for event in data["events"]] == ["submitted"]
    assert data["events"][0]["by_you"] is True
    assert response["Location"].endswith(f"/api/v1/reports/{incident.reference}/")


def test_the_answer_to_a_new_report_is_the_report_as_read_back(
    observer_api, observer, polling_station, report_url, django_assert_max_num_queries
):
    # The answer is shaped from the report in memory, not read back: it must say the same.
    # Queries: the token with its user and observer, the election, the region, the idempotency
    # check, then the incident, its detail and its event in one transaction (with BEGIN and COMMIT).
    with django_assert_max_num_queries(9):
        filed = observer_api.post(report_url, DETENTION, format="json")
    assert filed.status_code == 201
    read_back = observer_api.get(filed["Location"])
    assert filed.json() == read_back.json()
    photo = {**DETENTION, "details": json.dumps(DETENTION["details"]), "attachments": [jpeg_with_gps()]}
    filed = observer_api.post(report_url, photo, format="multipart")
    assert filed.status_code == 201
    assert filed.json() == observer_api.get(filed["Location"]).json()


def test_a_time_without_offset_is_the_elections_local_time(observer_api, election, region, report_url):
    payload = {"kind": "other", "region": "KZ-75", "occurred_at": "2021-01-10T14:00", "description": "x"}
    response = observer_api.post(report_url, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Incident.objects.get().occurred_at.isoformat() == "2021-01-10T08:00:00+00:00"


def test_file_an_internet_blockage_without_region(observer_api, election, report_url):
    payload = {
        "kind": "internet_blockage",
        "occurred_at": "2021-01-10T09:00:00Z",
        "description": "Mobile data down across the city.",
        "details": {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp"]},
    }
    response = observer_api.post(report_url, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Incident.objects.get().internet_blockage.services == ["whatsapp"]


def test_file_with_a_photo_in_multipart(observer_api, region, election, report_url):
    payload = {
        "kind": "denied_access",
        "region": "KZ-75",
        "occurred_at": "2021-01-10T09:00:00Z",
        "description": "The chair refused entry.",
        "details": json.dumps({"person_role": "observer", "methods": ["refused_entry"]}),
        "attachments": [jpeg_with_gps()],
    }
    response = observer_api.post(report_url, payload, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    assert b"SecretPhone" not in attachment.file.read()
    assert data["attachments"][0]["kind"] == "photo"
    assert data["details"]["methods"] == ["refused_entry"]


def test_a_forbidden_file_type_saves_nothing(observer_api, region, election, report_url):
    payload = {
        "kind": "other",
        "region": "KZ-75",
        "occurred_at": "2021-01-10T09:00:00Z",
        "description": "x",
        "attachments": [upload("run.exe", b"MZ\x90\x00" + b"\x00" * 64)],
    }
    response = observer_api.post(report_url, payload, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not Incident.objects.exists() and not Attachment.objects.exists()


def test_anonymous_and_non_observers_cannot_file(api, moderator_api, report_url, election, region):
    response = api.post(report_url, DETENTION, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert moderator_api.post(report_url, DETENTION, format="json").status_code == 403
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad_token.get(report_url).json()["error"]["code"] == "authentication_failed"
    assert not Incident.objects.exists()


def test_session_login_works_too(client, observer, election, region, report_url):
    client.force_login(observer.user)
    assert client.get(report_url).status_code == 200


def test_observers_see_only_their_own_reports(observer_api, other_observer_api, submit, other_observer):
    mine = submit()
    theirs = submit(reporter=other_observer)
    listed = observer_api.get(reverse("api-report-list")).json()["results"]
    assert [item["reference"] for item in listed] == [mine.reference]
    assert observer_api.get(reverse("api-report-detail", args=[theirs.reference])).status_code == 404
    response = other_observer_api.patch(
        reverse("api-report-detail", args=[mine.reference]), {"version": 1, "description": "hijack"}, format="json"
    )
    assert response.status_code == 404
    assert Incident.objects.get(pk=mine.pk).description != "hijack"


def test_the_observer_sees_their_steps_but_not_internal_ones_or_who_moderated(observer_api, submit, moderator):
    incident = submit()
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    services.incident_transition(incident=incident, to_status=Status.SUBMITTED, actor=moderator)  # released: internal
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    services.incident_transition(incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Which door?")
    data = observer_api.get(reverse("api-report-detail", args=[incident.reference])).json()
    assert [event["action"] for event in data["events"]] == ["submitted", "claimed", "claimed", "asked"]
    assert data["question"] == "Which door?"
    assert moderator.username not in json.dumps(data)
    assert data["events"][-1]["by_you"] is False


def test_edit_while_editable(observer_api, submit):
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2})
    url = reverse("api-report-detail", args=[incident.reference])
    response = observer_api.patch(
        url, {"version": 1, "description": "More precisely: five.", "details": {"people_detained": 5}}, format="json"
    )
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.description == "More precisely: five." and incident.detention.people_detained == 5
    assert response.json()["events"][-1]["changed_fields"] == ["description", "detention.people_detained"]
    stale = observer_api.patch(url, {"version": 1, "description": "stale"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "incident_changed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": None}, "region"),
        ({"latitude": 43.2}, "longitude"),
        ({"details": {"detained_groups": ["aliens"]}}, "details.detained_groups.0"),
        ({"description": "x" * 20_001}, "description"),
        ({"reporter": 1}, "reporter"),
        ({"status": "published"}, "status"),
        ({}, "version"),
    ],
)
def test_bad_edits_are_400_and_change_nothing(observer_api, submit, change, field):
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2})
    url = reverse("api-report-detail", args=[incident.reference])
    response = observer_api.patch(url, {"version": 1, **change} if change else {}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert Incident.objects.get(pk=incident.pk).version == 1


def test_edit_adds_files_in_multipart(observer_api, submit):
    incident = submit()
    url = reverse("api-report-detail", args=[incident.reference])
    response = observer_api.patch(url, {"version": 1, "attachments": [jpeg_with_gps()]}, format="multipart")
    assert response.status_code == 200, response.json()
    assert incident.attachments.count() == 1


def test_no_edit_once_with_the_moderators(observer_api, submit, moderator):
    incident = submit()
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    url = reverse("api-report-detail", args=[incident.reference])
    response = observer_api.patch(url, {"version": 2, "description": "changed"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_move"
    assert observer_api.get(url).json()["can_edit"] is False


def test_answer_a_question(observer_api, submit, moderator):
    incident = submit()
    url = reverse("api-report-answer", args=[incident.reference])
    assert observer_api.post(url, {"answer": "too early"}, format="json").status_code == 409
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    services.incident_transition(incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Which door?")
    response = observer_api.post(url, {"answer": "The back door."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert IncidentEvent.objects.filter(incident=incident, action="answered", comment="The back door.").exists()
    assert observer_api.post(url, {}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "parade"}, "kind"),
        ({"kind": 7}, "kind"),
        ({"description": 12}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"description": ""}, "description"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2031-01-10T09:00:00Z"}, "occurred_at"),
        ({"latitude": 1e308}, "latitude"),
        ({"latitude": 91}, "latitude"),
        ({"latitude": None}, "longitude"),
        ({"is_sensitive": "yes"}, "is_sensitive"),
        ({"region": "KZ-00"}, "region"),
        ({"polling_station": "999"}, "polling_station"),
        ({"colour": "red"}, "colour"),
        ({"details": {"people_detained": 10**12}}, "details.people_detained"),
        ({"details": {"people_detained": "3"}}, "details.people_detained"),
        ({"details": {"detained_groups": ["aliens"]}}, "details.detained_groups.0"),
        ({"details": {"detained_groups": ["voters", "voters"]}}, "details.detained_groups"),
        ({"details": {"favourite": 1}}, "details.favourite"),
        ({"details": "not an object"}, "details"),
        ({"details": {"released_at": "2031-01-01T00:00:00Z"}}, "details.released_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(
    observer_api, polling_station, report_url, change, field
):
    payload = {**DETENTION, **change}
    response = observer_api.post(report_url, payload, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ({"started_at": "2021-01-10T09:00:00Z", "ended_at": "2021-01-10T08:00:00Z"}, "The end is before the start."),
        ({"ended_at": "2031-01-10T08:00:00Z"}, "This time is in the future."),
    ],
)
def test_blockage_times_are_refused_on_their_field(observer_api, election, report_url, times, message):
    details = {"scope": "city", "blockage_type": "mobile_data", **times}
    payload = {
        "kind": "internet_blockage",
        "occurred_at": "2021-01-10T09:00:00Z",
        "description": "x",
        "details": details,
    }
    response = observer_api.post(report_url, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"details.ended_at": [message]}
    assert not Incident.objects.exists()


@pytest.mark.parametrize("missing", ["kind", "description", "occurred_at", "region"])
def test_missing_fields(observer_api, polling_station, report_url, missing):
    payload = {key: value for key, value in DETENTION.items() if key not in (missing, "polling_station")}
    response = observer_api.post(report_url, payload, format="json")
    assert response.status_code == 400
    assert missing in response.json()["error"]["fields"]


def test_unreadable_bodies(observer_api, election, report_url):
    broken_json = observer_api.post(report_url, "{not json", content_type="application/json")
    assert broken_json.status_code == 400 and broken_json.json()["error"]["code"] == "parse_error"
    not_an_object = observer_api.post(report_url, "[1, 2]", content_type="application/json")
    assert not_an_object.status_code == 400
    broken_multipart = observer_api.post(
        report_url, b"--xx\r\nContent-Disposition: form-data\r\n", content_type="multipart/form-data; boundary=xx"
    )
    assert broken_multipart.status_code == 400
    xml = observer_api.post(report_url, "<report/>", content_type="application/xml")
    assert xml.status_code == 415 and xml.json()["error"]["code"] == "unsupported_media_type"
    assert not Incident.objects.exists()


def test_no_election_open(observer_api, db, report_url):
    factories.RegionFactory(code="KZ-75")
    response = observer_api.post(report_url, DETENTION, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "No election is open for reports."
