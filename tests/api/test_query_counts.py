"""Every list endpoint runs a fixed number of queries whatever the number of rows."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import IncidentKind

from .. import factories
from ..public_data import many_published
from .conftest import body

pytestmark = pytest.mark.django_db

ROWS = 60


@pytest.fixture
def many(election, region):
    regions = [region, *(factories.RegionFactory(code=f"KZ-{n}") for n in range(10, 20))]
    for index, place in enumerate(regions):
        factories.OfficialResultFactory(election=election, region=place)
        factories.PollingStationFactory(election=election, region=place, number=f"S{index}")
        factories.PartyFactory(election=election, short_name=f"P{index}")
    return many_published(election, regions, ROWS)


@pytest.mark.parametrize(
    ("name", "query", "limit"),
    [
        ("api-election-list", {}, 2),
        ("api-region-list", {}, 5),
        ("api-polling-station-list", {}, 3),
        ("api-party-list", {}, 3),
        ("api-incident-list", {"page_size": ROWS}, 4),
        ("api-incident-list", {"region": "KZ-75", "kind": "detention"}, 5),
        ("api-incident-csv", {}, 6),
        ("api-incident-geojson", {}, 6),
    ],
)
def test_public_lists(api, many, django_assert_max_num_queries, name, query, limit):
    with django_assert_max_num_queries(limit):
        response = api.get(reverse(name), query)
        assert response.status_code == 200
        text = body(response)
    if name.startswith("api-incident") and not query.get("kind"):
        assert text.count(many[0].reference[:4]) >= ROWS


def test_own_reports(observer_api, submit, django_assert_max_num_queries, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0
    for _ in range(ROWS // 2):
        submit(kind=IncidentKind.OTHER)
    with django_assert_max_num_queries(5):
        data = observer_api.get(reverse("api-report-list"), {"page_size": ROWS}).json()
    assert len(data["results"]) == ROWS // 2


def test_moderation_queue(moderator_api, moderator, submit, django_assert_max_num_queries, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0
    for index in range(ROWS // 2):
        incident = submit()
        if index % 2:
            services.incident_transition(incident=incident, to_status="in_review", actor=moderator)
    with django_assert_max_num_queries(8):
        data = moderator_api.get(reverse("api-moderation-list"), {"page_size": ROWS}).json()
    assert len(data["results"]) == ROWS // 2
