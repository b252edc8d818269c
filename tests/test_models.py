"""Every invariant that the database enforces, and the derived figures."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from incidents.models import AppendOnlyError, IncidentEvent, Status

from . import factories

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


def test_station_number_unique_per_election():
    station = factories.PollingStationFactory(number="101")
    factories.PollingStationFactory(number="101")  # another election: allowed
    with refused(), transaction.atomic():
        factories.PollingStationFactory(number="101", election=station.election)


def test_one_current_election():
    factories.ElectionFactory(is_current=True)
    with refused(), transaction.atomic():
        factories.ElectionFactory(is_current=True)


def test_ballots_cast_not_above_registered_voters():
    with refused(), transaction.atomic():
        factories.OfficialResultFactory(registered_voters=100, ballots_cast=101, valid_votes=None, invalid_votes=None)


def test_valid_votes_not_above_ballots_cast():
    with refused(), transaction.atomic():
        factories.OfficialResultFactory(ballots_cast=100, valid_votes=101)


def test_turnout_percent_not_stored_beside_the_counts():
    with refused(), transaction.atomic():
        factories.OfficialResultFactory(turnout_percent=Decimal("60.00"))


def test_turnout_percent_alone_is_kept_as_published():
    result = factories.OfficialResultFactory(
        registered_voters=None,
        ballots_cast=None,
        valid_votes=None,
        invalid_votes=None,
        turnout_percent=Decimal("30.30"),
    )
    assert result.turnout == Decimal("30.30")


def test_turnout_is_derived_from_counts():
    result = factories.OfficialResultFactory(registered_voters=11_919_241, ballots_cast=7_539_280)
    assert result.turnout == Decimal("63.25")


def test_one_result_per_region_and_one_national():
    result = factories.OfficialResultFactory()
    with refused(), transaction.atomic():
        factories.OfficialResultFactory(election=result.election, region=result.region)
    factories.OfficialResultFactory(election=result.election, region=None)
    with refused(), transaction.atomic():
        factories.OfficialResultFactory(election=result.election, region=None)


def test_party_share_derived_from_valid_votes():
    row = factories.PartyResultFactory(
        result__registered_voters=11_919_241,
        result__ballots_cast=7_539_280,
        result__valid_votes=7_241_562,
        result__invalid_votes=None,
        votes=5_148_074,
    )
    assert row.share == Decimal("71.09")


def test_party_colour_must_be_hex():
    with refused(), transaction.atomic():
        factories.PartyFactory(colour="blue")


@pytest.mark.parametrize("field", ["people_detained"])
def test_negative_or_zero_detained_refused(field):
    with refused(), transaction.atomic():
        factories.DetentionFactory(**{field: 0})
    with refused(), transaction.atomic():
        factories.DetentionFactory(**{field: -1})


def test_blockage_end_not_before_start():
    start = datetime.datetime(2021, 1, 10, 12, tzinfo=datetime.UTC)
    with refused(), transaction.atomic():
        factories.InternetBlockageFactory(started_at=start, ended_at=start - datetime.timedelta(hours=1))
    blockage = factories.InternetBlockageFactory(started_at=start, ended_at=None)
    assert blockage.is_ongoing


def test_unknown_status_refused():
    with refused(), transaction.atomic():
        factories.IncidentFactory(status="lost")


def test_published_incident_needs_summary():
    with refused(), transaction.atomic():
        factories.IncidentFactory(status=Status.PUBLISHED, public_summary="")


def test_incident_cannot_duplicate_itself():
    incident = factories.IncidentFactory()
    incident.duplicate_of = incident
    with refused(), transaction.atomic():
        incident.save()


def test_coordinates_must_be_complete_and_in_range():
    with refused(), transaction.atomic():
        factories.IncidentFactory(latitude=Decimal("43.2"), longitude=None)
    with refused(), transaction.atomic():
        factories.RegionFactory(latitude=Decimal("91"), longitude=Decimal("10"))


def test_client_token_unique():
    factories.IncidentFactory(client_token="abc")
    with refused(), transaction.atomic():
        factories.IncidentFactory(client_token="abc")


def test_events_are_append_only():
    event = factories.IncidentEventFactory()
    event.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        IncidentEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(AppendOnlyError):
        IncidentEvent.objects.all().delete()
    assert IncidentEvent.objects.get(pk=event.pk).comment == "A note."


def test_names_follow_the_active_language():
    region = factories.RegionFactory(name_en="Almaty", name_ru="Алматы", name_kk="Алматы қ.")
    with translation.override("ru"):
        assert region.name == "Алматы"
    with translation.override("kk"):
        assert region.name == "Алматы қ."
    region.name_kk = ""
    with translation.override("kk"):
        assert region.name == "Almaty"


def test_reference_uses_prefix_and_unambiguous_alphabet():
    reference = factories.IncidentFactory(election__reference_prefix="KZ21").reference
    prefix, code = reference.split("-")
    assert prefix == "KZ21" and len(code) == 6
    assert not set(code) & set("ILOU")
