"""The submission, edit and workflow services: the rules every surface relies on."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents import services
from incidents.models import Detention, Incident, IncidentEvent, IncidentKind, Status, Verification
from incidents.workflow import TRANSITIONS, Role

from . import factories
from .conftest import publish


def test_submit_writes_incident_detail_and_event(submit, observer):
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 5, "detained_by": "police"})
    assert incident.status == Status.SUBMITTED
    assert incident.reference.startswith("KZT-")
    assert incident.detention.people_detained == 5
    event = incident.events.get()
    assert event.action == "submitted" and event.actor == observer.user and event.visible_to_observer


def test_submit_same_token_twice_creates_one_incident(submit):
    first = submit(client_token="tap-1")
    second = submit(client_token="tap-1")
    assert first.pk == second.pk
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.count() == 1


def test_a_reference_already_taken_is_drawn_again_and_the_report_filed_once(submit, monkeypatch):
    taken = submit().reference
    drawn = iter([taken, taken, "KZT-NEW001"])
    monkeypatch.setattr(Incident, "new_reference", staticmethod(lambda prefix: next(drawn)))
    incident = submit(client_token="tap-2")
    assert incident.reference == "KZT-NEW001"
    assert Incident.objects.filter(client_token="tap-2").count() == 1
    assert IncidentEvent.objects.filter(incident=incident).count() == 1


def test_a_retry_that_arrives_after_the_callers_check_is_answered_with_the_first_report(submit):
    # The web form and the API ask existing_submission before reading files, then file with
    # existing_checked: a retry that slipped in between still makes nothing new.
    first = submit(client_token="tap-3")
    again = services.incident_submit(
        reporter=first.reporter,
        election=first.election,
        kind=first.kind,
        region=first.region,
        occurred_at=first.occurred_at,
        occurred_precision=first.occurred_precision,
        description=first.description,
        client_token="tap-3",
        existing_checked=True,
    )
    assert again.created is False and again.incident.pk == first.pk
    assert Incident.objects.count() == 1 and IncidentEvent.objects.count() == 1


def test_token_of_another_reporter_is_a_conflict(submit):
    submit(client_token="tap-1")
    with pytest.raises(services.IdempotencyConflict):
        submit(client_token="tap-1", reporter=factories.ObserverFactory())


def test_token_with_another_fingerprint_is_a_conflict(submit):
    submit(client_token="tap-1", client_fingerprint="a" * 64)
    with pytest.raises(services.IdempotencyConflict):
        submit(client_token="tap-1", client_fingerprint="b" * 64)


def test_station_outside_region_refused_and_nothing_written(submit, election):
    station = factories.PollingStationFactory(election=election)  # in another region
    with pytest.raises(ValidationError) as error:
        submit(polling_station=station)
    assert "polling_station" in error.value.message_dict
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_station_sets_region(submit, polling_station):
    incident = submit(region=None, polling_station=polling_station)
    assert incident.region == polling_station.region


@pytest.mark.parametrize(
    "occurred_at",
    [timezone.now() + datetime.timedelta(days=1), datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)],
    ids=["future", "long-before"],
)
def test_time_out_of_range_refused(submit, occurred_at):
    with pytest.raises(ValidationError) as error:
        submit(occurred_at=occurred_at)
    assert "occurred_at" in error.value.message_dict


def test_bad_detail_refused_and_nothing_written(submit):
    with pytest.raises(ValidationError):
        submit(kind=IncidentKind.DETENTION, details={"people_detained": 0})
    with pytest.raises(ValidationError):
        submit(
            kind=IncidentKind.INTERNET_BLOCKAGE, details={"scope": "city", "blockage_type": "x", "services": ["icq"]}
        )
    assert not Incident.objects.exists()


def test_blockage_ending_before_it_started_is_refused_on_its_field_with_nothing_written(submit):
    started = datetime.datetime(2021, 1, 10, 9, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as refused:
        submit(
            kind=IncidentKind.INTERNET_BLOCKAGE,
            details={
                "scope": "city",
                "blockage_type": "mobile_data",
                "started_at": started,
                "ended_at": started - datetime.timedelta(hours=1),
            },
        )
    assert refused.value.message_dict == {"ended_at": ["The end is before the start."]}
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_a_check_constraint_refusing_a_row_becomes_a_validation_error(submit):
    # New reports leave check constraints to the database: its refusal must read as a validation error.
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2})
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Detention.objects.filter(incident=incident).update(people_detained=0)
    refused = services.refused_by_check(error.value, Incident, Detention)
    assert isinstance(refused, ValidationError)
    assert "detention_people_range" in str(refused)
    assert services.refused_by_check(error.value, Incident) is None  # not one of these models' constraints


def test_walk_to_published_records_every_step(submit, moderator):
    incident = publish(submit(), moderator)
    assert incident.status == Status.PUBLISHED and incident.published_at
    assert list(incident.events.values_list("action", flat=True)) == ["submitted", "claimed", "verified", "published"]
    assert incident.version == 4


#: how a new report reaches each status, every move made by the moderator who claims it
PATHS = {
    Status.SUBMITTED: [],
    Status.IN_REVIEW: [Status.IN_REVIEW],
    Status.NEEDS_INFO: [Status.IN_REVIEW, Status.NEEDS_INFO],
    Status.VERIFIED: [Status.IN_REVIEW, Status.VERIFIED],
    Status.PUBLISHED: [Status.IN_REVIEW, Status.VERIFIED, Status.PUBLISHED],
    # a report marked sensitive, approved by a second moderator
    Status.APPROVED: [Status.IN_REVIEW, Status.VERIFIED, Status.APPROVED],
    Status.REJECTED: [Status.IN_REVIEW, Status.REJECTED],
    Status.RETRACTED: [Status.IN_REVIEW, Status.VERIFIED, Status.PUBLISHED, Status.RETRACTED],
}
#: everything a move could need, so that only the move and the actor decide
EVERYTHING = {"comment": "Because.", "verification": Verification.CORROBORATED, "public_summary": "A summary."}
#: who tries each move
ACTORS = ("assignee", "other_moderator", "coordinator", "reporter", "other_observer", "staff_without_role")


def expected_outcome(source, target, actor, two_people=False):
    """What the transition table says should happen: None (allowed) or the refusal raised."""
    move = TRANSITIONS.get((source, target))
    if move is None:
        return services.TransitionNotAllowed
    if (move.only_if and not two_people) or (move.unless and two_people):
        return services.TransitionForbidden
    if move.second_person and actor == "assignee":  # the assignee verified it
        return services.TransitionForbidden
    if move.role is Role.REPORTER:
        return None if actor == "reporter" else services.TransitionForbidden
    if actor not in ("assignee", "other_moderator", "coordinator"):
        return services.TransitionForbidden
    if move.claim_required and actor == "other_moderator":
        return services.TransitionForbidden
    return None


def test_paths_reach_every_status():
    assert set(PATHS) == set(Status)


@pytest.mark.parametrize("source", list(Status), ids=str)
@pytest.mark.parametrize("target", list(Status), ids=str)
def test_every_move_allowed_or_refused_as_the_table_says(source, target, submit, moderator, observer):
    """Table-driven: every (from, to) pair, tried by every kind of actor.

    An allowed move changes the status and writes exactly one event, as the
    table describes it; a refused one raises and changes nothing.
    """
    incident = submit()
    two_people = source == Status.APPROVED
    if two_people:
        Incident.objects.filter(pk=incident.pk).update(needs_second_approval=True)
        incident.refresh_from_db()
    for step in PATHS[source]:
        actor = factories.ModeratorFactory() if step == Status.APPROVED else moderator
        incident = services.incident_transition(incident=incident, to_status=step, actor=actor, **EVERYTHING)
    actors = {
        "assignee": moderator,
        "other_moderator": factories.ModeratorFactory(),
        "coordinator": factories.CoordinatorFactory(),
        "reporter": observer.user,
        "other_observer": factories.ObserverFactory().user,
        "staff_without_role": factories.UserFactory(is_staff=True),
    }
    for name in ACTORS:
        before = Incident.objects.get(pk=incident.pk)
        events_before = list(before.events.values_list("pk", flat=True))
        expected = expected_outcome(source, target, name, two_people)
        savepoint = transaction.savepoint()
        try:
            if expected is None:
                moved = services.incident_transition(
                    incident=before, to_status=target, actor=actors[name], **EVERYTHING
                )
                move = TRANSITIONS[(source, target)]
                new_events = list(moved.events.exclude(pk__in=events_before))
                assert moved.status == target and moved.version == before.version + 1, name
                assert len(new_events) == 1, name
                event = new_events[0]
                assert (event.action, event.from_status, event.to_status, event.actor) == (
                    move.action,
                    source,
                    target,
                    actors[name],
                ), name
                assert event.visible_to_observer == move.visible_to_observer
            else:
                with pytest.raises(expected) as refusal:
                    services.incident_transition(incident=before, to_status=target, actor=actors[name], **EVERYTHING)
                assert refusal.value.message, name
                after = Incident.objects.get(pk=incident.pk)
                assert (after.status, after.version, after.assignee_id) == (
                    before.status,
                    before.version,
                    before.assignee_id,
                ), name
                assert list(after.events.values_list("pk", flat=True)) == events_before, name
        finally:
            transaction.savepoint_rollback(savepoint)


def test_move_not_in_table_refused_without_event(submit, moderator):
    incident = submit()
    with pytest.raises(services.TransitionNotAllowed):
        services.incident_transition(incident=incident, to_status=Status.PUBLISHED, actor=moderator)
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED and incident.events.count() == 1


def test_observer_cannot_claim(submit, observer):
    with pytest.raises(services.TransitionForbidden):
        services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=observer.user)


def test_verify_needs_the_claim(submit, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    other = factories.ModeratorFactory()
    with pytest.raises(services.TransitionForbidden):
        services.incident_transition(
            incident=incident, to_status=Status.VERIFIED, actor=other, verification=Verification.CONFIRMED
        )
    coordinator = factories.CoordinatorFactory()
    services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=coordinator, verification=Verification.CONFIRMED
    )


def test_reject_needs_a_reason(submit, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, to_status=Status.REJECTED, actor=moderator, comment=" ")
    assert Incident.objects.get(pk=incident.pk).status == Status.IN_REVIEW


def test_publish_needs_a_summary(submit, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
    )
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, to_status=Status.PUBLISHED, actor=moderator)


def test_stale_version_refused(submit, moderator):
    incident = submit()
    seen = incident.version
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    with pytest.raises(services.IncidentChanged):
        services.incident_transition(
            incident=incident, to_status=Status.IN_REVIEW, actor=factories.ModeratorFactory(), expected_version=seen
        )


def test_reporter_edit_records_changes(submit, observer):
    incident = submit()
    incident = services.incident_edit(incident=incident, actor=observer.user, changes={"description": "Corrected."})
    event = incident.events.latest("id")
    assert event.action == "edited" and event.changes["description"][1] == "Corrected."
    assert event.visible_to_observer


def test_reporter_cannot_edit_after_review_starts(submit, observer, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    with pytest.raises(services.TransitionForbidden):
        services.incident_edit(incident=incident, actor=observer.user, changes={"description": "Late."})


def test_other_observer_cannot_edit(submit):
    stranger = factories.ObserverFactory()
    with pytest.raises(services.TransitionForbidden):
        services.incident_edit(incident=submit(), actor=stranger.user, changes={"description": "Mine now."})


def test_edit_without_change_writes_nothing(submit, observer):
    incident = submit(description="Same.")
    services.incident_edit(incident=incident, actor=observer.user, changes={"description": "Same."})
    assert incident.events.count() == 1


def test_rate_limit_refuses_and_saves_nothing(submit, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 2
    submit()
    submit()
    with pytest.raises(services.SubmissionRateLimited):
        submit()
    assert Incident.objects.count() == 2
    assert submit(client_token=None, reporter=factories.ObserverFactory())  # others are not limited


def test_retry_does_not_count_against_rate_limit(submit, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 1
    first = submit(client_token="t")
    assert submit(client_token="t").pk == first.pk


def test_changed_signal_sent_only_after_commit(submit, moderator, django_capture_on_commit_callbacks):
    from incidents.signals import incident_changed

    received = []
    handler = lambda **kwargs: received.append(kwargs["action"])  # noqa: E731
    incident_changed.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            incident = submit()
        assert received == ["submitted"]
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
        assert received == ["submitted"] and len(callbacks) == 1
    finally:
        incident_changed.disconnect(handler)


@pytest.mark.parametrize(
    ("source", "target"), [pair for pair, move in TRANSITIONS.items() if move.reason_required], ids=str
)
def test_every_move_that_needs_a_reason_refuses_without_one(source, target, submit, moderator, observer):
    incident = submit()
    for step in PATHS[source]:
        incident = services.incident_transition(incident=incident, to_status=step, actor=moderator, **EVERYTHING)
    actor = observer.user if TRANSITIONS[(source, target)].role is Role.REPORTER else moderator
    with pytest.raises(ValidationError) as error:
        services.incident_transition(
            incident=incident, to_status=target, actor=actor, **{**EVERYTHING, "comment": "  "}
        )
    assert "comment" in error.value.message_dict
    assert Incident.objects.get(pk=incident.pk).status == source


def test_verify_needs_a_verification_level(submit, moderator):
    incident = services.incident_transition(incident=submit(), to_status=Status.IN_REVIEW, actor=moderator)
    for level in (None, "", "certain"):
        with pytest.raises(ValidationError) as error:
            services.incident_transition(
                incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=level
            )
        assert "verification" in error.value.message_dict
    assert incident.events.count() == 2


def test_retraction_notice_is_public_text(submit, moderator):
    incident = publish(submit(), moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.RETRACTED, actor=moderator, comment="The account could not be confirmed."
    )
    assert incident.retraction_notice == "The account could not be confirmed."
