"""Retries of a new report through the Idempotency-Key header: one report, whatever happens."""

import pytest
from django.urls import reverse

from incidents.models import Attachment, Incident, IncidentEvent

from .. import factories
from ..samples import jpeg_with_gps
from ..test_concurrency import race
from .conftest import token_client

pytestmark = pytest.mark.django_db

REPORT = {
    "kind": "other",
    "region": "KZ-75",
    "occurred_at": "2021-01-10T09:00:00Z",
    "description": "Ballots were handed out twice.",
}


def post(client, payload=REPORT, key="4b8e9d7e-2f5c-4d35-9e0b-1a2b3c4d5e6f", **kwargs):
    return client.post(
        reverse("api-report-list"), payload, format=kwargs.pop("format", "json"), HTTP_IDEMPOTENCY_KEY=key
    )


def test_same_key_twice_files_once(observer_api, election, region):
    first = post(observer_api)
    second = post(observer_api)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first["Idempotent-Replayed"] == "false" and second["Idempotent-Replayed"] == "true"
    assert first.json()["reference"] == second.json()["reference"]
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.filter(action="submitted").count() == 1


def test_same_key_with_a_photo_stores_the_file_once(observer_api, election, region):
    payload = {**REPORT, "attachments": [jpeg_with_gps()]}
    first = post(observer_api, payload, format="multipart")
    retry = post(observer_api, {**REPORT, "attachments": [jpeg_with_gps()]}, format="multipart")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert Attachment.objects.count() == 1


def test_same_key_with_another_body_is_409_and_saves_nothing(observer_api, election, region):
    post(observer_api)
    conflict = post(observer_api, {**REPORT, "description": "Something else entirely."})
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"
    other_photo = post(observer_api, {**REPORT, "attachments": [jpeg_with_gps(colour="blue")]}, format="multipart")
    assert other_photo.status_code == 409
    assert Incident.objects.count() == 1
    assert Incident.objects.get().description == REPORT["description"]


def test_the_same_instant_written_differently_is_the_same_body(observer_api, election, region):
    post(observer_api)
    retry = post(observer_api, {**REPORT, "occurred_at": "2021-01-10T15:00:00+06:00"})
    assert retry.status_code == 200


def test_keys_are_per_observer(observer_api, other_observer_api, election, region):
    mine = post(observer_api)
    theirs = post(other_observer_api)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert Incident.objects.count() == 2


def test_without_a_key_each_request_files_a_report(observer_api, election, region):
    observer_api.post(reverse("api-report-list"), REPORT, format="json")
    observer_api.post(reverse("api-report-list"), REPORT, format="json")
    assert Incident.objects.count() == 2


@pytest.mark.parametrize("key", ["", "a b", "x" * 256, "ключ"])
def test_malformed_key_is_400(observer_api, election, region, key):
    response = post(observer_api, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Incident.objects.exists()


def test_a_retry_is_answered_even_past_the_rate_limit(observer_api, election, region, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 1
    assert post(observer_api).status_code == 201
    assert post(observer_api).status_code == 200
    limited = post(observer_api, key="another-report")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "submission_limit"
    assert limited["Retry-After"] == "60"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_tries_with_one_key_file_one_report(on_postgres, settings):
    """The first try holds its transaction open until the second is seen waiting for it in
    PostgreSQL; then the first commits and the second answers with the first's report."""
    factories.ElectionFactory(slug="kz-race", reference_prefix="KZR", is_current=True)
    factories.RegionFactory(code="KZ-75")
    user = factories.ObserverFactory().user
    first_client, second_client = token_client(user), token_client(user)
    first, second = race(lambda: post(first_client), lambda: post(second_client))
    assert (first.status_code, second.status_code) == (201, 200), (first.content, second.content)
    assert first.json()["reference"] == second.json()["reference"]
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.filter(action="submitted").count() == 1
