"""Moderation services: routes of moves, bulk moves, reassigning, duplicates, public files."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import EventAction, Incident, IncidentEvent, Status, Verification

from . import factories
from .conftest import publish


def actions(incident):
    return list(incident.events.order_by("id").values_list("action", flat=True))


def claim(incident, moderator):
    return services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)


def test_advance_takes_each_move_of_the_route(submit, moderator):
    incident = submit()
    published = services.incident_advance(
        incident=incident,
        to_status=Status.PUBLISHED,
        actor=moderator,
        expected_version=incident.version,
        verification=Verification.CORROBORATED,
        public_summary="Observers were kept out of a polling station.",
        comment="Two sources.",
    )
    assert published.status == Status.PUBLISHED and published.assignee == moderator
    assert actions(published) == ["submitted", "claimed", "verified", "published"]
    assert published.version == incident.version + 3
    comments = dict(published.events.values_list("action", "comment"))
    assert comments == {"submitted": "", "claimed": "", "verified": "", "published": "Two sources."}


def test_advance_is_all_or_nothing(submit, moderator):
    incident = submit()
    with pytest.raises(ValidationError):
        services.incident_advance(
            incident=incident, to_status=Status.PUBLISHED, actor=moderator, verification=Verification.CONFIRMED
        )  # no summary
    incident.refresh_from_db()
    assert (incident.status, incident.assignee, incident.version) == (Status.SUBMITTED, None, 1)
    assert actions(incident) == ["submitted"]


def test_advance_refuses_a_stale_version(submit, moderator):
    incident = submit()
    seen = incident.version
    claim(incident, factories.ModeratorFactory())
    with pytest.raises(services.IncidentChanged):
        services.incident_advance(incident=incident, to_status=Status.IN_REVIEW, actor=moderator, expected_version=seen)
    assert Incident.objects.get(pk=incident.pk).events.count() == 2


def test_advance_without_route_is_refused_plainly(submit, moderator):
    incident = publish(submit(), moderator)
    with pytest.raises(services.TransitionNotAllowed) as refusal:
        services.incident_advance(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    assert "Published" in refusal.value.message


def test_bulk_reports_what_moved_and_why_the_rest_did_not(submit, moderator):
    waiting = [submit(), submit(), submit()]
    taken = claim(submit(), factories.ModeratorFactory())
    done = publish(submit(), moderator)
    outcome = services.incidents_bulk_advance(
        incidents=[*waiting, taken, done], to_status=Status.REJECTED, actor=moderator, comment="Spam."
    )
    assert {incident.pk for incident in outcome.moved} == {incident.pk for incident in waiting}
    assert all(incident.status == Status.REJECTED for incident in outcome.moved)
    reasons = outcome.refusals_by_reason()
    assert reasons == {
        "This incident is claimed by another moderator.": [taken.reference],
        "An incident that is Published cannot become Rejected.": [done.reference],
    }
    assert Incident.objects.get(pk=taken.pk).status == Status.IN_REVIEW


def test_bulk_publish_uses_each_summary(submit, moderator):
    ready = services.incident_advance(
        incident=submit(), to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
    )
    services.incident_edit(incident=ready, actor=moderator, changes={"public_summary": "Ballot stuffing seen."})
    unwritten = services.incident_advance(
        incident=submit(), to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
    )
    outcome = services.incidents_bulk_advance(
        incidents=Incident.objects.filter(pk__in=[ready.pk, unwritten.pk]), to_status=Status.PUBLISHED, actor=moderator
    )
    assert [incident.pk for incident in outcome.moved] == [ready.pk]
    assert [(incident.pk, message) for incident, message in outcome.refused] == [
        (unwritten.pk, "Write the public summary before publishing.")
    ]


def test_coordinator_reassigns_and_the_claim_follows(submit, moderator, coordinator):
    incident = claim(submit(), moderator)
    colleague = factories.ModeratorFactory()
    incident = services.incident_reassign(
        incident=incident, assignee=colleague, actor=coordinator, expected_version=incident.version
    )
    event = incident.events.latest("id")
    assert (event.action, event.changes, event.visible_to_observer) == (
        EventAction.REASSIGNED,
        {"assignee": [moderator.pk, colleague.pk]},
        False,
    )
    with pytest.raises(services.TransitionForbidden):
        services.incident_transition(
            incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
        )
    services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=colleague, verification=Verification.CONFIRMED
    )


def test_moderators_cannot_reassign(submit, moderator):
    incident = claim(submit(), moderator)
    with pytest.raises(services.TransitionForbidden):
        services.incident_reassign(incident=incident, assignee=factories.ModeratorFactory(), actor=moderator)
    assert Incident.objects.get(pk=incident.pk).assignee == moderator


@pytest.mark.parametrize("case", ["not claimed", "not a moderator"])
def test_reassign_refusals(case, submit, moderator, coordinator, observer):
    incident = submit() if case == "not claimed" else claim(submit(), moderator)
    assignee = observer.user if case == "not a moderator" else factories.ModeratorFactory()
    with pytest.raises(ValidationError):
        services.incident_reassign(incident=incident, assignee=assignee, actor=coordinator)
    assert IncidentEvent.objects.filter(action=EventAction.REASSIGNED).count() == 0


def test_mark_duplicate_rejects_with_a_link_and_records_both(submit, moderator):
    primary = submit(description="Police detained protesters at the square.")
    duplicate = submit(description="Protesters detained by police at the square.")
    duplicate = services.incident_mark_duplicate(
        incident=duplicate, primary=primary, actor=moderator, expected_version=duplicate.version
    )
    assert (duplicate.status, duplicate.duplicate_of) == (Status.REJECTED, primary)
    assert actions(duplicate) == ["submitted", "claimed", "merged"]
    merged = duplicate.events.latest("id")
    assert (merged.from_status, merged.to_status, merged.changes) == (
        Status.IN_REVIEW,
        Status.REJECTED,
        {"duplicate_of": [None, primary.reference]},
    )
    assert merged.comment == f"Duplicate of {primary.reference}."
    primary_event = primary.events.latest("id")
    assert primary_event.action == EventAction.MERGED and duplicate.reference in primary_event.comment
    assert not primary_event.visible_to_observer
    assert Incident.objects.get(pk=primary.pk).status == Status.SUBMITTED  # the primary waits as before


def test_corroborating_reports_are_counted_not_stored(submit, moderator):
    primary = submit()
    for _ in range(2):
        services.incident_mark_duplicate(incident=submit(), primary=primary, actor=moderator)
    counted = Incident.objects.with_corroboration()
    assert counted.get(pk=primary.pk).corroborating_reports == 2
    assert {incident.corroborating_reports for incident in counted.exclude(pk=primary.pk)} == {0}


def test_duplicate_of_a_duplicate_names_the_primary(submit, moderator):
    primary = submit()
    first = services.incident_mark_duplicate(incident=submit(), primary=primary, actor=moderator)
    third = submit()
    with pytest.raises(ValidationError) as error:
        services.incident_mark_duplicate(incident=third, primary=first, actor=moderator)
    assert primary.reference in error.value.message_dict["duplicate_of"][0]
    assert Incident.objects.get(pk=third.pk).status == Status.SUBMITTED


def test_duplicate_refusals_change_nothing(submit, moderator, election):
    primary = submit()
    rejected = services.incident_advance(incident=submit(), to_status=Status.REJECTED, actor=moderator, comment="No.")
    other_election = factories.IncidentFactory(election=factories.ElectionFactory())
    services.incident_mark_duplicate(incident=submit(), primary=primary, actor=moderator)
    candidate = submit()
    for other, incident in [
        (candidate, candidate),
        (rejected, candidate),
        (other_election, candidate),
        (candidate, primary),  # the primary has duplicates of its own
    ]:
        with pytest.raises(ValidationError):
            services.incident_mark_duplicate(incident=incident, primary=other, actor=moderator)
    assert actions(Incident.objects.get(pk=candidate.pk)) == ["submitted"]
    assert Incident.objects.get(pk=primary.pk).status == Status.SUBMITTED


def test_only_the_claim_holder_marks_a_claimed_report_duplicate(submit, moderator):
    primary = submit()
    duplicate = claim(submit(), factories.ModeratorFactory())
    with pytest.raises(services.TransitionForbidden):
        services.incident_mark_duplicate(incident=duplicate, primary=primary, actor=moderator)
    assert Incident.objects.get(pk=duplicate.pk).duplicate_of is None
    assert not Incident.objects.get(pk=primary.pk).events.filter(action=EventAction.MERGED).exists()


def test_attachment_public_switch_is_recorded(submit, moderator):
    incident = submit()
    attachment = factories.AttachmentFactory(incident=incident)
    attachment = services.attachment_set_public(
        attachment=attachment, is_public=True, actor=moderator, expected_version=incident.version
    )
    assert attachment.is_public
    event = incident.events.latest("id")
    assert event.action == EventAction.EDITED and event.changes == {f"attachment {attachment.pk} public": [False, True]}
    assert Incident.objects.get(pk=incident.pk).version == incident.version + 1
    services.attachment_set_public(attachment=attachment, is_public=True, actor=moderator)
    assert incident.events.count() == 2  # setting it again records nothing


def test_attachment_switch_refused_to_others(submit, observer):
    incident = submit()
    attachment = factories.AttachmentFactory(incident=incident)
    for user in (observer.user, factories.UserFactory(is_staff=True)):
        with pytest.raises(services.TransitionForbidden):
            services.attachment_set_public(attachment=attachment, is_public=True, actor=user)
    attachment.refresh_from_db()
    assert not attachment.is_public and incident.events.count() == 1


def test_attachment_switch_refuses_a_stale_version(submit, moderator):
    incident = submit()
    attachment = factories.AttachmentFactory(incident=incident)
    claim(incident, moderator)
    with pytest.raises(services.IncidentChanged):
        services.attachment_set_public(attachment=attachment, is_public=True, actor=moderator, expected_version=1)
