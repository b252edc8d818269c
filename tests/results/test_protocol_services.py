"""Filing, verifying and settling protocol copies; drawing and publishing the sample."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import CopyAction, CopyStatus, ProtocolCopy, ProtocolCopyEvent, PvtSample
from incidents.results import pvt
from incidents.services.incidents import IdempotencyConflict
from tests import factories, samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(counted_election, region):
    return factories.PollingStationFactory(election=counted_election, region=region)


def test_filing_keeps_the_figures_the_checks_and_a_history_row(file_copy, station, observer):
    filing = file_copy(station=station, observer=observer)
    copy = filing.copy
    assert filing.created and copy.status == CopyStatus.SUBMITTED
    assert copy.lines["cast"] == 1000 and copy.checks_passed
    assert {result["rule"] for result in copy.check_results} >= {"votes_and_invalid_make_cast", "cast_within_issued"}
    (event,) = ProtocolCopyEvent.objects.filter(copy=copy)
    assert event.action == CopyAction.FILED and event.actor == observer.user


def test_a_copy_that_does_not_add_up_is_filed_with_its_failures(file_copy, station, observer, good_figures):
    lines = {**good_figures[0], "issued": 990}  # 1000 cast > 990 issued
    copy = file_copy(station=station, observer=observer, lines=lines).copy
    assert not copy.checks_passed
    assert [r["rule"] for r in copy.check_results if not r["passed"]] == ["cast_within_issued"]


def test_a_retry_with_the_same_token_files_nothing_twice(file_copy, station, observer):
    first = file_copy(station=station, observer=observer, client_token="tok-1")
    again = file_copy(station=station, observer=observer, client_token="tok-1")
    assert again.copy.pk == first.copy.pk and not again.created
    assert ProtocolCopy.objects.count() == 1 and ProtocolCopyEvent.objects.count() == 1


def test_the_same_token_for_other_figures_is_refused(file_copy, station, observer, good_figures):
    file_copy(station=station, observer=observer, client_token="tok-1")
    with pytest.raises(IdempotencyConflict):
        file_copy(station=station, observer=observer, client_token="tok-1", lines={**good_figures[0], "cast": 999})


@pytest.mark.parametrize(
    ("change", "field"),
    [({"cast": None}, "cast"), ({"cast": "ten"}, "cast"), ({"cast": -1}, "cast"), ({"line_99": 5}, "__all__")],
)
def test_bad_figures_are_refused_and_nothing_is_written(file_copy, station, observer, good_figures, change, field):
    lines = {**good_figures[0], **change}
    with pytest.raises(ValidationError) as refused:
        file_copy(station=station, observer=observer, lines=lines)
    assert field in refused.value.message_dict
    assert not ProtocolCopy.objects.exists() and not ProtocolCopyEvent.objects.exists()


def test_the_photo_is_stripped_of_its_location(file_copy, station, observer):
    copy = file_copy(station=station, observer=observer, photo=samples.jpeg_with_gps("sheet.jpg")).copy
    stored = copy.photo.read()
    assert copy.photo_content_type == "image/jpeg" and len(copy.photo_sha256) == 64
    assert samples.CAMERA_MODEL.encode() not in stored
    assert "sheet" not in copy.photo.name and not copy.photo_is_public


def test_two_disagreeing_copies_count_for_neither_until_settled(file_copy, station, good_figures, moderator):
    first_observer, second_observer = factories.ObserverFactory(), factories.ObserverFactory()
    first = file_copy(station=station, observer=first_observer).copy
    second = file_copy(station=station, observer=second_observer, lines={**good_figures[0], "cast": 1001}).copy
    first.refresh_from_db()
    assert first.in_conflict and second.in_conflict
    services.protocol_copy_verify(copy=first, actor=moderator)
    services.protocol_copy_verify(copy=second, actor=moderator)
    assert not ProtocolCopy.objects.counted().exists()  # both verified, neither counts

    kept = services.protocol_conflict_settle(keep=first, actor=moderator, comment="The photos show 1000 cast.")
    assert list(ProtocolCopy.objects.counted()) == [kept]
    second.refresh_from_db()
    assert second.status == CopyStatus.REJECTED and not second.in_conflict
    station_history = ProtocolCopyEvent.objects.filter(polling_station=station).values_list("action", flat=True)
    assert list(station_history).count(CopyAction.SETTLED) == 2
    assert CopyAction.CONFLICT in station_history


def test_agreeing_copies_are_no_conflict(file_copy, station, moderator):
    one = file_copy(station=station, observer=factories.ObserverFactory()).copy
    two = file_copy(station=station, observer=factories.ObserverFactory()).copy
    for copy in (one, two):
        services.protocol_copy_verify(copy=copy, actor=moderator)
    assert ProtocolCopy.objects.counted().count() == 2


def test_asking_the_observer_lets_them_correct_their_copy(file_copy, station, observer, moderator, good_figures):
    copy = file_copy(station=station, observer=observer).copy
    services.protocol_copy_ask(copy=copy, actor=moderator, question="Line 4 is blurred: is it 1000?")
    corrected = file_copy(station=station, observer=observer, lines={**good_figures[0], "cast": 1000}).copy
    assert corrected.pk == copy.pk and corrected.status == CopyStatus.SUBMITTED
    actions = list(copy.events.values_list("action", flat=True))
    assert actions == [CopyAction.FILED, CopyAction.ASKED, CopyAction.CORRECTED]
    services.protocol_copy_verify(copy=copy, actor=moderator)
    with pytest.raises(services.WorkflowError):
        file_copy(station=station, observer=observer)  # verified: no longer the observer's to change


def test_only_staff_who_may_verify_can_verify(file_copy, station, observer):
    copy = file_copy(station=station, observer=observer).copy
    with pytest.raises(services.TransitionForbidden):
        services.protocol_copy_verify(copy=copy, actor=observer.user)
    copy.refresh_from_db()
    assert copy.status == CopyStatus.SUBMITTED


def test_the_draw_stores_the_sample_and_its_fingerprint(counted_election, coordinator):
    regions = [factories.RegionFactory() for _ in range(3)]
    stations = [factories.PollingStationFactory(election=counted_election, region=regions[n % 3]) for n in range(60)]
    sample = services.pvt_sample_draw(
        election=counted_election, wanted_margin=Decimal("0.2"), actor=coordinator, seed="fixed-seed"
    )
    numbers = list(sample.stations.values_list("polling_station__number", flat=True))
    # (1.96 · 0.5 / 0.2)² = 24.0 -> 24.0 / (1 + 23.0/60) = 17.4 -> 18 stations, 6 a region
    assert len(numbers) == 18
    assert sample.fingerprint == pvt.fingerprint("fixed-seed", numbers)
    expected = pvt.draw_sample([(s.number, s.region.code) for s in stations], size=18, seed="fixed-seed")
    assert sorted(numbers) == sorted(n for group in expected.values() for n in group)
    assert not sample.published

    again = services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.2"), actor=coordinator)
    assert PvtSample.objects.count() == 1 and again.seed != "fixed-seed" and len(again.seed) == 32
    services.pvt_sample_publish(sample=again, actor=coordinator)
    with pytest.raises(services.WorkflowError):
        services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.2"), actor=coordinator)


def test_only_a_coordinator_draws(counted_election, moderator):
    factories.PollingStationFactory(election=counted_election)
    with pytest.raises(services.TransitionForbidden):
        services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.1"), actor=moderator)


def test_observers_are_assigned_to_sampled_stations_without_one(counted_election, coordinator):
    for _ in range(10):
        factories.PollingStationFactory(election=counted_election)
    sample = services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.3"), actor=coordinator)
    observers = [factories.ObserverFactory(), factories.ObserverFactory()]
    given = services.pvt_assign_observers(sample=sample, observers=observers, actor=coordinator)
    assert given == sample.stations.count()
    assert services.pvt_assign_observers(sample=sample, observers=observers, actor=coordinator) == 0


def test_the_draw_command_prints_the_fingerprint_and_keeps_the_seed(counted_election, coordinator, moderator):
    from io import StringIO

    from django.core.management import CommandError, call_command

    for _ in range(12):
        factories.PollingStationFactory(election=counted_election)
    out = StringIO()
    call_command(
        "pvt_draw", "--election", counted_election.slug, "--as", coordinator.username, "--margin", "0.3", stdout=out
    )
    sample = PvtSample.objects.get(election=counted_election)
    assert sample.fingerprint in out.getvalue() and sample.seed not in out.getvalue()
    with pytest.raises(CommandError, match="coordinator"):
        call_command("pvt_draw", "--election", counted_election.slug, "--as", moderator.username, stdout=StringIO())
    with pytest.raises(CommandError, match="share"):
        call_command("pvt_draw", "--election", counted_election.slug, "--as", coordinator.username, "--margin", "2")
    call_command("pvt_draw", "--election", counted_election.slug, "--as", coordinator.username, "--publish", stdout=out)
    sample.refresh_from_db()
    assert sample.published and sample.seed in out.getvalue()
