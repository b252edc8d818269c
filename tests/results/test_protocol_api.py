"""Filing protocol copies through the API: idempotent by Idempotency-Key, errors as 4xx with a reason."""

import pytest
from django.urls import reverse

from incidents.models import ProtocolCopy, ProtocolCopyEvent
from tests import factories
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db
URL = reverse("api-protocol-copy-file")


@pytest.fixture
def station(counted_election, region):
    return factories.PollingStationFactory(election=counted_election, region=region, number="75-042")


@pytest.fixture
def payload(counted_election, good_figures, station):
    lines, votes = good_figures
    parties = {str(party.pk): party.short_name for party in counted_election.test_parties}
    return {
        "polling_station": station.number,
        "copied_at": "2021-01-10T22:30:00+06:00",
        "lines": lines,
        "party_votes": {parties[pk]: count for pk, count in votes.items()},
    }


@pytest.fixture
def client_of(observer):
    return token_client(observer.user)


def test_filing_answers_201_with_the_checks_and_a_retry_200(client_of, payload):
    first = client_of.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="copy-1")
    assert first.status_code == 201, first.content
    assert first.json()["checks_passed"] and first["Idempotent-Replayed"] == "false"
    again = client_of.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="copy-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ProtocolCopy.objects.count() == 1 and ProtocolCopyEvent.objects.count() == 1


def test_the_same_key_for_other_figures_is_409(client_of, payload):
    client_of.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="copy-1")
    changed = {**payload, "lines": {**payload["lines"], "cast": 999}}
    response = client_of.post(URL, changed, format="json", HTTP_IDEMPOTENCY_KEY="copy-1")
    assert response.status_code == 409


def test_failing_checks_are_reported_not_refused(client_of, payload):
    payload["lines"]["issued"] = 990
    response = client_of.post(URL, payload, format="json")
    assert response.status_code == 201
    failed = [result["rule"] for result in response.json()["check_results"] if not result["passed"]]
    assert failed == ["cast_within_issued"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"polling_station": "nope"}, "polling_station"),
        ({"party_votes": {"Nobody": 3}}, "party_votes"),
        ({"lines": {"cast": -4}}, "lines"),
        ({"copied_at": "yesterday"}, "copied_at"),
    ],
)
def test_bad_input_is_400_with_a_reason(client_of, payload, change, field):
    response = client_of.post(URL, {**payload, **change}, format="json")
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not ProtocolCopy.objects.exists()


def test_a_verified_copy_cannot_be_refiled(client_of, payload, moderator):
    from incidents import services

    response = client_of.post(URL, payload, format="json")
    services.protocol_copy_verify(copy=ProtocolCopy.objects.get(pk=response.json()["id"]), actor=moderator)
    assert client_of.post(URL, payload, format="json").status_code == 409


def test_only_observers_file(moderator, payload):
    assert token_client(moderator).post(URL, payload, format="json").status_code in (401, 403)
