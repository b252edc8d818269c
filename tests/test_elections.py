"""Several elections at once: public pages, filters, exports, the feed and the API serve one election
each; ``/e/<slug>/…`` names it, today's addresses (and ``?election=``) keep answering; the admin and
the moderation API filter by election; an observer files for the election of their assignment."""

import datetime

import pytest
from django.urls import reverse

from incidents import selectors
from incidents.models import Status

from . import factories
from .api.conftest import token_client
from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def local(db):
    return factories.ElectionFactory(
        slug="almaty-local-demo",
        name_en="Almaty city council (demo)",
        reference_prefix="ALC",
        election_day=datetime.date(2021, 1, 10),
    )


@pytest.fixture
def two(election, local, submit, moderator):
    def filed(for_election, text):
        return submit(election=for_election, description=text)

    national = publish(filed(election, "National report."), moderator, summary="A national incident.")
    council = publish(filed(local, "Council report."), moderator, summary="A council incident.")
    return national, council


def text(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_each_election_has_its_own_pages(client, two, local):
    national, council = two
    page = text(client.get(reverse("election-incident-list", args=[local.slug])))
    assert council.reference in page and national.reference not in page
    page = text(client.get(reverse("incident-list")))  # today's address: the current election
    assert national.reference in page and council.reference not in page
    page = text(client.get(reverse("incident-list"), {"election": local.slug}))  # today's query still works
    assert council.reference in page and national.reference not in page
    for name, args in (
        ("election-home", [local.slug]),
        ("election-region-list", [local.slug]),
        ("election-region-detail", [local.slug, "KZ-75"]),
        ("election-incident-detail", [local.slug, council.reference]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    for name in ("home", "incident-list", "region-list"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(national.get_absolute_url()).status_code == 200


def test_an_unknown_election_is_not_found(client, two):
    assert client.get(reverse("election-incident-list", args=["no-such-election"])).status_code == 404


def test_the_path_election_wins_over_the_query(client, two, election, local):
    national, council = two
    url = reverse("election-incident-list", args=[local.slug])
    page = text(client.get(url, {"election": election.slug}))
    assert council.reference in page and national.reference not in page


def test_each_page_names_its_election_and_the_switcher_lists_them(client, two, election, local):
    page = text(client.get(reverse("election-incident-list", args=[local.slug])))
    assert local.name in page and election.name in page
    assert f'href="{reverse("election-home", args=[local.slug])}" aria-current="page"' in page
    page = text(client.get(reverse("incident-list")))
    assert f'href="{reverse("election-home", args=[election.slug])}" aria-current="page"' in page


def test_exports_feed_and_map_are_of_one_election(client, two, local):
    national, council = two
    for name in ("election-incident-export-csv", "election-incident-export-geojson", "election-incident-feed"):
        body = text(client.get(reverse(name, args=[local.slug])))
        assert council.reference in body and national.reference not in body, name
    body = text(client.get(reverse("incident-export-csv")))
    assert national.reference in body and council.reference not in body
    features = client.get(reverse("election-region-map-data", args=[local.slug])).json()["features"]
    assert [feature["properties"]["incidents"] for feature in features] == [1]


def test_the_public_api_filters_by_election(client, two, local):
    _national, council = two
    rows = client.get(reverse("api-incident-list"), {"election": local.slug}).json()["results"]
    assert [row["reference"] for row in rows] == [council.reference]


def test_the_admin_queue_and_the_moderation_api_filter_by_election(
    force_login_verified, moderator, submit, election, local
):
    ours = submit(election=local, description="Council report waiting.")
    theirs = submit(election=election, description="National report waiting.")
    client = force_login_verified(moderator)
    response = client.get(reverse("admin:incidents_incident_changelist"), {"election__id__exact": local.pk})
    assert [incident.reference for incident in response.context["cl"].result_list] == [ours.reference]
    rows = token_client(moderator).get(reverse("api-moderation-list"), {"election": local.slug}).json()["results"]
    assert [row["reference"] for row in rows] == [ours.reference]
    assert theirs.status == Status.SUBMITTED


def test_an_observer_files_for_the_election_of_their_assignment(observer, election, local, region):
    assert selectors.observer_election(observer) == election  # no assignment: the current election
    station = factories.PollingStationFactory(election=local, region=region, number="C-1")
    observer.assigned_stations.add(station)
    assert selectors.observer_election(observer) == local


def test_an_observer_files_for_the_current_assigned_election_then_the_most_recent(observer, election, region):
    """The rule: an election of their assigned stations, the current one first, then the most
    recent by election day; with none assigned, the current election."""
    older = factories.ElectionFactory(slug="older", is_current=False, election_day=datetime.date(2019, 6, 9))
    newer = factories.ElectionFactory(slug="newer", is_current=False, election_day=datetime.date(2020, 3, 1))
    other = factories.ObserverFactory()
    observer.assigned_stations.add(factories.PollingStationFactory(election=older, region=region, number="O-1"))
    assert selectors.observer_election(observer) == older
    observer.assigned_stations.add(factories.PollingStationFactory(election=newer, region=region, number="N-1"))
    assert selectors.observer_election(observer) == newer
    observer.assigned_stations.add(factories.PollingStationFactory(election=election, region=region, number="E-1"))
    assert election.is_current and selectors.observer_election(observer) == election
    assert selectors.observer_election(other) == election  # another observer's assignments do not count
    assert selectors.observer_election(None) == election


def test_no_election_to_file_for(db):
    assert selectors.observer_election(factories.ObserverFactory()) is None


def test_the_filing_page_is_for_the_assigned_election(client, observer, election, local, region):
    observer.assigned_stations.add(factories.PollingStationFactory(election=local, region=region, number="C-2"))
    client.force_login(observer.user)
    page = client.get(reverse("report-choose"))
    assert page.context["election"] == local


def test_the_election_pages_keep_nothing_private(client, fully_filled_incident, election):
    incident = fully_filled_incident.incident
    for name, args in (
        ("election-incident-list", [election.slug]),
        ("election-incident-detail", [election.slug, incident.reference]),
        ("election-incident-export-csv", [election.slug]),
        ("election-incident-feed", [election.slug]),
        ("election-region-map-data", [election.slug]),
    ):
        fully_filled_incident.assert_absent_from(text(client.get(reverse(name, args=args))))


def test_election_list_queries_do_not_grow_with_elections(client, two, local, django_assert_max_num_queries):
    url = reverse("election-incident-list", args=[local.slug])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _n in range(10):
        factories.ElectionFactory()
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(len(few)):
        client.get(url + "?page=1")
