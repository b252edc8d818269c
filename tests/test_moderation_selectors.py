"""Reads for moderators: likely duplicates, who moderates, what waits next."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from incidents import selectors, services
from incidents.models import IncidentKind, Status

from . import factories

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2021, 1, 10, 10, 30, tzinfo=datetime.UTC)


def test_likely_duplicates_share_election_kind_place_and_time(submit, election, region, polling_station, moderator):
    report = submit(polling_station=polling_station, description="Observers kept out of the counting.")
    same_station = submit(polling_station=polling_station, description="Observers were kept out during counting.")
    same_region = submit(description="Unrelated words entirely here.")
    later = submit(occurred_at=NOON + datetime.timedelta(hours=5), description="Observers kept out.")
    excluded = [
        submit(kind=IncidentKind.INTIMIDATION, polling_station=polling_station),
        submit(region=factories.RegionFactory(), polling_station=None),
        submit(occurred_at=NOON + datetime.timedelta(hours=7)),
        services.incident_advance(incident=submit(), to_status=Status.REJECTED, actor=moderator, comment="No."),
        factories.IncidentFactory(occurred_at=NOON, region=region),  # another election
    ]
    services.incident_mark_duplicate(incident=submit(), primary=same_region, actor=moderator)  # now a duplicate
    found = selectors.likely_duplicates(report, limit=10)
    assert [candidate.incident for candidate in found] == [same_station, later, same_region]
    assert found[0].same_station and found[0].text_similarity > 0.3
    assert found[1].minutes_apart == 300
    assert not {candidate.incident.pk for candidate in found} & {incident.pk for incident in excluded}


def test_likely_duplicates_without_a_place_match_on_kind_and_time(submit):
    national = submit(region=None, kind=IncidentKind.OTHER)
    elsewhere = submit(region=factories.RegionFactory(), kind=IncidentKind.OTHER)
    assert [candidate.incident for candidate in selectors.likely_duplicates(national)] == [elsewhere]


def test_likely_duplicates_in_one_query(submit, django_assert_num_queries):
    report = submit()
    for _ in range(20):
        submit(reporter=factories.ObserverFactory())
    with django_assert_num_queries(1):
        found = selectors.likely_duplicates(report)
        [(candidate.incident.region.code, candidate.incident.polling_station) for candidate in found]
    assert len(found) == 5


def test_moderators_are_those_who_may_moderate(moderator, coordinator, observer):
    superuser = factories.UserFactory(is_superuser=True)
    direct = factories.UserFactory()
    direct.user_permissions.add(Permission.objects.get(codename="moderate_incident"))
    factories.ModeratorFactory(is_active=False)
    factories.UserFactory(is_staff=True)
    assert set(selectors.moderators()) == {moderator, coordinator, superuser, direct}


def test_next_waiting_is_the_oldest_unclaimed(submit, moderator):
    first, second, third = submit(), submit(), submit()
    services.incident_transition(incident=first, to_status=Status.IN_REVIEW, actor=moderator)
    assert selectors.next_waiting() == second
    assert selectors.next_waiting(exclude=second) == third
