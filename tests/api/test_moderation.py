"""Staff through the API: the queue with its filters, and moves through the one workflow service."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import IncidentEvent, IncidentKind, Status

from .. import factories
from ..conftest import publish

pytestmark = pytest.mark.django_db


def move(client, incident, **body):
    return client.post(reverse("api-moderation-transition", args=[incident.reference]), body, format="json")


def test_queue_opens_on_waiting_reports_oldest_first(moderator_api, submit, moderator):
    first, second = submit(), submit(kind=IncidentKind.DETENTION)
    published = publish(submit(), moderator)
    data = moderator_api.get(reverse("api-moderation-list")).json()
    assert [item["reference"] for item in data["results"]] == [first.reference, second.reference]
    everything = moderator_api.get(reverse("api-moderation-list"), {"status": "all"}).json()
    assert published.reference in [item["reference"] for item in everything["results"]]
    only = moderator_api.get(reverse("api-moderation-list"), {"kind": "detention"}).json()
    assert [item["reference"] for item in only["results"]] == [second.reference]


def test_queue_filters_by_assignee_and_text(moderator_api, submit, moderator):
    claimed = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    unclaimed = submit(description="Carousel buses at station 12")
    mine = moderator_api.get(reverse("api-moderation-list"), {"assignee": "me"}).json()["results"]
    assert [item["reference"] for item in mine] == [claimed.reference]
    assert mine[0]["assignee"] == moderator.username
    nobody = moderator_api.get(reverse("api-moderation-list"), {"assignee": "nobody"}).json()["results"]
    assert [item["reference"] for item in nobody] == [unclaimed.reference]
    found = moderator_api.get(reverse("api-moderation-list"), {"q": "carousel"}).json()["results"]
    assert [item["reference"] for item in found] == [unclaimed.reference]
    bad = moderator_api.get(reverse("api-moderation-list"), {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_only_moderators_reach_the_queue(api, observer_api, submit):
    incident = submit()
    assert api.get(reverse("api-moderation-list")).status_code == 401
    assert observer_api.get(reverse("api-moderation-list")).status_code == 403
    assert move(observer_api, incident, to="in_review").status_code == 403
    assert observer_api.get(reverse("api-moderation-detail", args=[incident.reference])).status_code == 403


def test_the_staff_view_of_an_incident_has_no_reporter(moderator_api, fully_filled_incident):
    incident = fully_filled_incident.incident
    data = moderator_api.get(reverse("api-moderation-detail", args=[incident.reference])).json()
    assert data["description"].startswith("PRIVATE-DESCRIPTION")
    assert data["details"]["detained_names"]
    assert data["events"][0] == {**data["events"][0], "action": "submitted", "actor": None, "by_reporter": True}
    assert data["events"][-1]["actor"] == "moderator-private-login"
    text = str(data)
    for private in ("reporter-private-login", "reporter.private@example.org", "+7 701 999 1234", "ACC-PRIVATE-777"):
        assert private not in text


def test_a_whole_moderation_through_the_api(moderator_api, observer_api, submit, moderator):
    incident = submit()
    response = move(moderator_api, incident, to="in_review", expected_version=1)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "in_review" and data["assignee"] == moderator.username
    assert set(data["available_moves"]) == {"submitted", "verified", "needs_info", "rejected"}
    assert move(moderator_api, incident, to="verified").status_code == 400  # needs a verification level
    assert move(moderator_api, incident, to="verified", verification="confirmed").status_code == 200
    response = move(moderator_api, incident, to="published", public_summary="Ballots were handed out twice.")
    assert response.status_code == 200
    assert observer_api.get(reverse("api-report-detail", args=[incident.reference])).json()["public_url"]
    actions = list(IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True))
    assert actions == ["submitted", "claimed", "verified", "published"]


def test_a_move_not_allowed_now_is_409(moderator_api, submit):
    incident = submit()
    response = move(moderator_api, incident, to="published")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"


def test_a_move_that_lost_the_race_is_409(moderator_api, submit, moderator):
    incident = submit()
    services.incident_edit(incident=incident, actor=moderator, changes={"location_text": "Gate 2"})
    response = move(moderator_api, incident, to="in_review", expected_version=1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "incident_changed"


def test_another_moderators_claim_is_403_but_a_coordinator_may(moderator_api, coordinator_api, submit):
    other = factories.ModeratorFactory()
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=other)
    response = move(moderator_api, incident, to="needs_info", comment="Which door?")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_move"
    assert move(coordinator_api, incident, to="needs_info", comment="Which door?").status_code == 200


def test_the_observers_move_is_not_a_moderators(moderator_api, submit, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Which door?"
    )
    response = move(moderator_api, incident, to="submitted", comment="I answer for them")
    assert response.status_code == 403


def test_a_summary_with_personal_data_is_refused(moderator_api, submit, moderator):
    incident = submit(kind=IncidentKind.DETENTION, details={"detained_names": "Aigerim Privatova"})
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification="confirmed"
    )
    # it names detained people: a second moderator approves it first
    incident = services.incident_transition(
        incident=incident, to_status=Status.APPROVED, actor=factories.ModeratorFactory()
    )
    response = move(moderator_api, incident, to="published", public_summary="Aigerim Privatova was detained.")
    assert response.status_code == 400
    assert "public_summary" in response.json()["error"]["fields"]
    incident.refresh_from_db()
    assert incident.status == Status.APPROVED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "heaven"}, "to"),
        ({}, "to"),
        ({"to": "in_review", "expected_version": "one"}, "expected_version"),
        ({"to": "in_review", "expected_version": 10**20}, "expected_version"),
        ({"to": "in_review", "because": "x"}, "because"),
        ({"to": "verified", "verification": "certain"}, "verification"),
    ],
)
def test_bad_moves_are_400(moderator_api, submit, body, field):
    incident = submit()
    response = move(moderator_api, incident, **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert IncidentEvent.objects.filter(incident=incident).count() == 1
