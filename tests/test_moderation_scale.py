"""Moderation at election-day scale: moderators by region, claims that expire or are broken,
the second approval of the riskiest publications, and the admin in the election's time.

An Almaty moderator never sees, counts or moves a Shymkent report, even by guessing it.
"""

import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from incidents import notifications, permissions, selectors, services
from incidents.models import EventAction, Incident, IncidentKind, ModeratorScope, Status

from . import factories
from .api.conftest import token_client

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:incidents_incident_changelist"


def change_url(incident):
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def moderate_url(incident):
    return reverse("admin:incidents_incident_moderate", args=[incident.pk])


def give_regions(user, *regions):
    scope, _created = ModeratorScope.objects.get_or_create(user=user)
    scope.regions.set(regions)
    permissions.forget_scope(user)
    return scope


@pytest.fixture
def almaty(region):
    return region


@pytest.fixture
def almaty_district(almaty):
    return factories.RegionFactory(code="KZ-75-ALM", name_en="Almaly district", parent=almaty)


@pytest.fixture
def shymkent(db):
    return factories.RegionFactory(code="KZ-79", name_en="Shymkent")


@pytest.fixture
def almaty_moderator(almaty):
    user = factories.ModeratorFactory(username="aigerim", first_name="Aigerim")
    give_regions(user, almaty)
    return user


@pytest.fixture
def shymkent_moderator(shymkent):
    user = factories.ModeratorFactory(username="nurlan")
    give_regions(user, shymkent)
    return user


@pytest.fixture
def reports(submit, almaty, almaty_district, shymkent):
    return {
        "almaty": submit(region=almaty, description="Ballot box opened in Almaty."),
        "district": submit(region=almaty_district, description="Queue outside the Almaly school."),
        "shymkent": submit(region=shymkent, description="Ballot box opened in Shymkent."),
        "nowhere": submit(region=None, description="A report with no place."),
    }


def references(incidents):
    return sorted(incident.reference for incident in incidents)


# One definition of the scope ------------------------------------------------------------------------------------


def test_a_region_covers_its_sub_regions(almaty_moderator, almaty, almaty_district, shymkent):
    scope = permissions.moderation_scope(almaty_moderator)
    assert almaty.pk in scope and almaty_district.pk in scope
    assert shymkent.pk not in scope


def test_coordinators_and_moderators_without_regions_see_everything(coordinator, moderator):
    assert permissions.moderation_scope(coordinator) is None
    assert permissions.moderation_scope(moderator) is None


def test_someone_who_does_not_moderate_sees_nothing(observer):
    assert permissions.moderation_scope(observer.user) == frozenset()


def test_the_queue_holds_the_moderators_regions_only(almaty_moderator, coordinator, reports):
    mine = references(selectors.moderation_queue(almaty_moderator))
    assert mine == references([reports["almaty"], reports["district"]])
    # reports with no region go to coordinators (and they see every region)
    assert references(selectors.moderation_queue(coordinator)) == references(reports.values())


def test_one_incident_outside_the_scope_is_not_found(almaty_moderator, reports):
    assert selectors.moderation_incident(almaty_moderator, reports["shymkent"].reference) is None
    assert selectors.moderation_incident(almaty_moderator, reports["nowhere"].reference) is None
    assert selectors.moderation_incident(almaty_moderator, reports["district"].reference) is not None


def test_next_waiting_and_likely_duplicates_stay_in_the_scope(almaty_moderator, reports, submit, shymkent):
    assert selectors.next_waiting(user=almaty_moderator).region_id != reports["shymkent"].region_id
    twin = submit(region=shymkent, description="Ballot box opened in Shymkent.")
    assert selectors.likely_duplicates(twin, user=almaty_moderator) == []
    assert reports["shymkent"] in [d.incident for d in selectors.likely_duplicates(twin)]


def test_the_service_refuses_a_move_outside_the_scope(almaty_moderator, reports):
    with pytest.raises(services.TransitionForbidden):
        services.incident_transition(incident=reports["shymkent"], to_status=Status.IN_REVIEW, actor=almaty_moderator)
    with pytest.raises(services.TransitionForbidden):
        services.incident_edit(
            incident=reports["shymkent"], actor=almaty_moderator, changes={"public_summary": "Mine now."}
        )
    shymkent = Incident.objects.get(pk=reports["shymkent"].pk)
    assert (shymkent.status, shymkent.assignee_id, shymkent.public_summary) == (Status.SUBMITTED, None, "")


def test_a_claim_is_not_given_to_a_moderator_of_another_region(coordinator, almaty_moderator, reports, moderator):
    claimed = services.incident_transition(incident=reports["shymkent"], to_status=Status.IN_REVIEW, actor=moderator)
    with pytest.raises(ValidationError):
        services.incident_reassign(incident=claimed, assignee=almaty_moderator, actor=coordinator)


# The admin --------------------------------------------------------------------------------------------------------


@pytest.fixture
def almaty_client(force_login_verified, almaty_moderator):
    return force_login_verified(almaty_moderator)


def listed(response):
    return references(response.context["cl"].result_list)


def test_admin_queue_and_its_filters_cover_the_scope(almaty_client, reports):
    response = almaty_client.get(reverse(CHANGELIST), {"status": "all"})
    assert listed(response) == references([reports["almaty"], reports["district"]])
    html = response.content.decode()
    assert "Shymkent" not in html
    assert reports["shymkent"].reference not in html


def test_admin_pages_of_a_report_outside_the_scope_answer_404(almaty_client, reports):
    for report in (reports["shymkent"], reports["nowhere"]):
        assert almaty_client.get(change_url(report)).status_code == 404
        response = almaty_client.post(moderate_url(report), {"version": report.version, "to_status": "in_review"})
        assert response.status_code == 404
        assert Incident.objects.get(pk=report.pk).status == Status.SUBMITTED
    assert almaty_client.get(change_url(reports["district"])).status_code == 200


def test_a_duplicate_is_not_marked_against_a_report_outside_the_scope(almaty_client, reports):
    report = reports["almaty"]
    almaty_client.post(
        moderate_url(report),
        {"version": report.version, "mark_duplicate": "1", "duplicate_reference": reports["shymkent"].reference},
    )
    report.refresh_from_db()
    assert report.duplicate_of_id is None and report.status == Status.SUBMITTED


def test_bulk_moves_never_touch_a_guessed_id(almaty_client, reports):
    chosen = [reports["almaty"].pk, reports["shymkent"].pk, reports["nowhere"].pk]
    almaty_client.post(reverse(CHANGELIST) + "?status=all", {"action": "claim_selected", ACTION_CHECKBOX_NAME: chosen})
    statuses = dict(Incident.objects.values_list("pk", "status"))
    assert statuses[reports["almaty"].pk] == Status.IN_REVIEW
    assert statuses[reports["shymkent"].pk] == Status.SUBMITTED
    assert statuses[reports["nowhere"].pk] == Status.SUBMITTED


def test_dashboard_counts_only_the_scope(almaty_client, reports):
    response = almaty_client.get(reverse("admin:incidents_incident_dashboard"))
    assert response.context["total"] == 2
    assert response.context["waiting"] == 2


def test_the_audit_log_and_files_stay_in_the_scope(almaty_client, reports):
    response = almaty_client.get(reverse("admin:incidents_incidentevent_changelist"))
    shown = {event.incident_id for event in response.context["cl"].result_list}
    assert shown == {reports["almaty"].pk, reports["district"].pk}


def test_coordinators_give_moderators_their_regions_in_the_admin(
    force_login_verified, coordinator, moderator, shymkent
):
    client = force_login_verified(coordinator)
    response = client.post(
        reverse("admin:incidents_moderatorscope_add"), {"user": moderator.pk, "regions": [shymkent.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert permissions.moderation_scope(moderator) == frozenset({shymkent.pk})


def test_queue_queries_stay_flat_with_many_regions_and_elections(
    settings, almaty_client, almaty_moderator, almaty, submit, observer, django_assert_max_num_queries
):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 1000

    def add(count):
        for n in range(count):
            election = factories.ElectionFactory()
            sub = factories.RegionFactory(parent=almaty)
            give_regions(almaty_moderator, almaty, *ModeratorScope.objects.get(user=almaty_moderator).regions.all())
            submit(election=election, region=sub, description=f"Report {n}")
            factories.RegionFactory()  # a region of nobody's

    add(2)
    with django_assert_max_num_queries(100) as few:
        almaty_client.get(reverse(CHANGELIST))
    add(15)
    with django_assert_max_num_queries(len(few)):
        response = almaty_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 17


# Digests ----------------------------------------------------------------------------------------------------------


def test_each_moderator_hears_of_their_regions_only(
    settings, mailoutbox, almaty_moderator, shymkent_moderator, coordinator, reports
):
    settings.OBSERVER_MODERATOR_DIGEST_TO = []
    events = [report.events.get(action=EventAction.SUBMITTED) for report in reports.values()]
    mailoutbox.clear()
    notifications.send_moderator_digest(events=events)
    by_address = {message.to[0]: message.body for message in mailoutbox}
    almaty_mail, shymkent_mail = by_address[almaty_moderator.email], by_address[shymkent_moderator.email]
    assert reports["almaty"].reference in almaty_mail and reports["district"].reference in almaty_mail
    assert reports["shymkent"].reference not in almaty_mail and reports["nowhere"].reference not in almaty_mail
    assert reports["shymkent"].reference in shymkent_mail and reports["almaty"].reference not in shymkent_mail
    assert "2 reports are waiting" in almaty_mail
    assert all(report.reference in by_address[coordinator.email] for report in reports.values())


# The API ----------------------------------------------------------------------------------------------------------


def test_the_api_answers_only_within_the_scope(almaty_moderator, reports):
    api = token_client(almaty_moderator)
    queue = api.get(reverse("api-moderation-list")).json()
    assert sorted(row["reference"] for row in queue["results"]) == references([reports["almaty"], reports["district"]])
    shymkent = reports["shymkent"]
    assert api.get(reverse("api-moderation-detail", args=[shymkent.reference])).status_code == 404
    moved = api.post(
        reverse("api-moderation-transition", args=[shymkent.reference]), {"to": "in_review"}, format="json"
    )
    assert moved.status_code == 404
    assert Incident.objects.get(pk=shymkent.pk).status == Status.SUBMITTED


# Claims that expire -----------------------------------------------------------------------------------------------


def claim(incident, user):
    return services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=user)


def test_a_claim_untouched_for_the_set_time_returns_to_the_queue(
    settings, submit, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OBSERVER_CLAIM_MINUTES = 30
    incident = claim(submit(), moderator)
    services.incident_edit(incident=incident, actor=moderator, changes={"public_summary": "Half written."})
    touched = Incident.objects.get(pk=incident.pk).updated_at
    assert services.release_expired_claims(now=touched + datetime.timedelta(minutes=29)) == 0
    assert Incident.objects.get(pk=incident.pk).assignee == moderator
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_expired_claims(now=touched + datetime.timedelta(minutes=31)) == 1
    incident.refresh_from_db()
    assert (incident.status, incident.assignee_id, incident.claimed_at) == (Status.SUBMITTED, None, None)
    assert incident.public_summary == "Half written."  # nothing the holder wrote is lost
    event = incident.events.latest("id")
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        EventAction.CLAIM_EXPIRED,
        None,
        Status.IN_REVIEW,
        Status.SUBMITTED,
    )
    assert [message.to for message in mailoutbox] == [[moderator.email]]
    assert incident.reference in mailoutbox[0].subject


def test_a_claim_touched_meanwhile_is_kept(settings, submit, moderator):
    settings.OBSERVER_CLAIM_MINUTES = 30
    incident = claim(submit(), moderator)
    claimed = Incident.objects.get(pk=incident.pk).updated_at
    Incident.objects.filter(pk=incident.pk).update(updated_at=claimed + datetime.timedelta(minutes=20))
    assert services.release_expired_claims(now=claimed + datetime.timedelta(minutes=31)) == 0
    assert Incident.objects.get(pk=incident.pk).status == Status.IN_REVIEW


def test_the_command_releases_expired_claims(settings, submit, moderator):
    settings.OBSERVER_CLAIM_MINUTES = 30
    incident = claim(submit(), moderator)
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=31))
    out = io.StringIO()
    call_command("release_expired_claims", stdout=out)
    assert "1 claim" in out.getvalue()
    assert Incident.objects.get(pk=incident.pk).status == Status.SUBMITTED


def test_the_beat_schedule_runs_the_release(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert notifications.release_expired_claims_task.name in tasks


def test_a_coordinator_breaks_a_claim_with_a_reason(
    submit, moderator, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    incident = claim(submit(), moderator)
    with pytest.raises(ValidationError):
        services.incident_claim_break(incident=incident, actor=coordinator, comment=" ")
    with pytest.raises(services.TransitionForbidden):
        services.incident_claim_break(incident=incident, actor=factories.ModeratorFactory(), comment="Mine.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_claim_break(incident=incident, actor=coordinator, comment="Shift ended.")
    incident.refresh_from_db()
    assert (incident.status, incident.assignee_id) == (Status.SUBMITTED, None)
    event = incident.events.latest("id")
    assert (event.action, event.actor, event.comment) == (EventAction.CLAIM_BROKEN, coordinator, "Shift ended.")
    assert "Shift ended." in mailoutbox[0].body and mailoutbox[0].to == [moderator.email]


def test_the_admin_shows_the_claim_and_lets_a_coordinator_break_it(
    force_login_verified, submit, moderator, coordinator
):
    incident = claim(submit(), moderator)
    client = force_login_verified(coordinator)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert f"{moderator.username} since" in html
    page = client.get(change_url(incident))
    assert page.context["can_break_claim"]
    client.post(moderate_url(incident), {"version": incident.version, "break_claim": "1", "break_reason": "Gone home."})
    incident.refresh_from_db()
    assert incident.assignee_id is None
    assert incident.events.latest("id").comment == "Gone home."


# Two people for the riskiest publication ---------------------------------------------------------------------------


def verified(incident, moderator):
    incident = claim(incident, moderator)
    return services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification="confirmed"
    )


def publish_now(incident, actor):
    return services.incident_transition(
        incident=incident, to_status=Status.PUBLISHED, actor=actor, public_summary="Three people were detained."
    )


@pytest.fixture
def named_detention(submit):
    return submit(kind=IncidentKind.DETENTION, details={"people_detained": 3, "detained_names": "A. Person"})


def test_a_detention_that_names_people_needs_a_second_moderator(named_detention, moderator):
    incident = verified(named_detention, moderator)
    with pytest.raises(services.TransitionForbidden):
        publish_now(incident, moderator)
    with pytest.raises(services.TransitionForbidden):  # not the one who verified it
        services.incident_transition(incident=incident, to_status=Status.APPROVED, actor=moderator)
    second = factories.ModeratorFactory()
    incident = services.incident_transition(incident=incident, to_status=Status.APPROVED, actor=second)
    incident = publish_now(incident, moderator)
    assert incident.status == Status.PUBLISHED
    actions = list(incident.events.values_list("action", "actor"))
    assert actions[-2:] == [(EventAction.APPROVED, second.pk), (EventAction.PUBLISHED, moderator.pk)]


def test_a_report_marked_sensitive_needs_a_second_moderator_and_others_do_not(submit, moderator):
    plain = publish_now(verified(submit(), moderator), moderator)
    assert plain.status == Status.PUBLISHED
    marked = submit()
    marked = services.incident_edit(incident=marked, actor=moderator, changes={"needs_second_approval": True})
    with pytest.raises(services.TransitionForbidden):
        publish_now(verified(marked, moderator), moderator)


def test_only_a_coordinator_takes_the_mark_away(submit, moderator, coordinator):
    incident = services.incident_edit(incident=submit(), actor=moderator, changes={"needs_second_approval": True})
    with pytest.raises(services.TransitionForbidden):
        services.incident_edit(incident=incident, actor=moderator, changes={"needs_second_approval": False})
    incident = services.incident_edit(incident=incident, actor=coordinator, changes={"needs_second_approval": False})
    assert incident.needs_second_approval is False


def test_the_admin_buttons_follow_the_table(force_login_verified, named_detention, moderator, client):
    incident = verified(named_detention, moderator)
    first = force_login_verified(moderator)
    buttons = [button["to_status"] for button in first.get(change_url(incident)).context["buttons"]]
    assert Status.PUBLISHED not in buttons and Status.APPROVED not in buttons
    from django.test import Client

    second = force_login_verified(factories.ModeratorFactory(), client=Client())
    buttons = [button["to_status"] for button in second.get(change_url(incident)).context["buttons"]]
    assert Status.APPROVED in buttons and Status.PUBLISHED not in buttons
    second.post(moderate_url(incident), {"version": incident.version, "to_status": Status.APPROVED})
    assert Incident.objects.get(pk=incident.pk).status == Status.APPROVED


def test_the_api_follows_the_table(named_detention, moderator):
    incident = verified(named_detention, moderator)
    api = token_client(moderator)
    url = reverse("api-moderation-transition", args=[incident.reference])
    refused = api.post(url, {"to": "published", "public_summary": "Three people were detained."}, format="json")
    assert refused.status_code == 403
    second = token_client(factories.ModeratorFactory())
    assert second.post(url, {"to": "approved"}, format="json").status_code == 200
    published = api.post(url, {"to": "published", "public_summary": "Three people were detained."}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_bulk_publishing_leaves_a_report_that_needs_two_people(force_login_verified, named_detention, moderator):
    incident = verified(named_detention, moderator)
    services.incident_edit(incident=incident, actor=moderator, changes={"public_summary": "Three were detained."})
    client = force_login_verified(moderator)
    client.post(
        reverse(CHANGELIST) + "?status=all", {"action": "publish_selected", ACTION_CHECKBOX_NAME: [incident.pk]}
    )
    assert Incident.objects.get(pk=incident.pk).status == Status.VERIFIED


# The admin in the election's time ----------------------------------------------------------------------------------


def test_admin_times_are_in_the_elections_zone(force_login_verified, submit, moderator):
    # 05:30 UTC on 10 January 2021 was 11:30 in Almaty (UTC+6 then)
    incident = submit(occurred_at=datetime.datetime(2021, 1, 10, 5, 30, tzinfo=datetime.UTC))
    client = force_login_verified(moderator)
    queue = client.get(reverse(CHANGELIST)).content.decode()
    assert "11:30" in queue and "5:30" not in queue
    page = client.get(change_url(incident)).content.decode()
    assert 'value="11:30:00"' in page and 'value="05:30:00"' not in page
    assert "Asia/Almaty" in page


# The history as sentences in the moderator's language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "claimed", "verified", "summary", "expired"),
    [
        (
            "en",
            "Aigerim claimed it.",
            "Aigerim verified it: the verification was changed from Unverified to Confirmed.",
            "Aigerim edited it: the public summary was changed.",
            "The claim expired and the report went back to the queue.",
        ),
        (
            "ru",
            "Aigerim взял(а) его в работу.",
            "Aigerim проверил(а) его: поле «степень подтверждения» изменено: "
            "было «Не подтверждено», стало «Подтверждено».",
            "Aigerim изменил(а) его: поле «публичное описание» изменено.",
            "Срок работы истёк, и отчёт вернулся в очередь.",
        ),
        (
            "kk",
            "Aigerim оны жұмысқа алды.",
            "Aigerim оны тексерді: «тексеру деңгейі» өрісі өзгертілді: «Тексерілмеген» болды, «Расталған» болды.",
            "Aigerim оны өзгертті: «жария түйіндеме» өрісі өзгертілді.",
            "Жұмыс мерзімі өтіп, хабарлама кезекке қайтты.",
        ),
    ],
)
def test_the_history_reads_as_sentences(submit, almaty_moderator, language, claimed, verified, summary, expired):
    from django.utils import translation

    from incidents.admin.moderation.history import event_sentence

    incident = claim(submit(), almaty_moderator)
    incident = services.incident_edit(incident=incident, actor=almaty_moderator, changes={"public_summary": "Draft."})
    incident = services.incident_claim_expire(incident=incident, now=timezone.now() + datetime.timedelta(minutes=60))
    incident = claim(incident, almaty_moderator)
    services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=almaty_moderator, verification="confirmed"
    )
    events = {event.action: event for event in incident.events.select_related("actor")}
    with translation.override(language):
        assert event_sentence(events[EventAction.CLAIMED]) == claimed
        assert event_sentence(events[EventAction.VERIFIED]) == verified
        assert event_sentence(events[EventAction.EDITED]) == summary
        assert event_sentence(events[EventAction.CLAIM_EXPIRED]) == expired


def test_the_incident_page_shows_no_codes(force_login_verified, submit, moderator):
    incident = claim(submit(), moderator)
    services.incident_edit(incident=incident, actor=moderator, changes={"is_sensitive": True})
    page = force_login_verified(moderator).get(change_url(incident)).content.decode()
    history = page[page.index("field-what_happened") :]
    for code in ("in_review", "False", "True", "→", "is_sensitive"):
        assert code not in history, code
    assert "the sensitive location was changed from no to yes" in history


def test_the_action_menu_keeps_its_value_after_an_action(force_login_verified, submit, moderator):
    incident = submit()
    client = force_login_verified(moderator)
    client.post(reverse(CHANGELIST), {"action": "claim_selected", ACTION_CHECKBOX_NAME: [incident.pk]})
    page = client.get(reverse(CHANGELIST), {"status": "all"})
    action_field = page.context["action_form"].fields["action"]
    assert next(iter(action_field.choices))[0] == "claim_selected"


def test_the_admin_index_leads_to_the_queue(force_login_verified, moderator):
    page = force_login_verified(moderator).get(reverse("admin:index")).content.decode()
    assert f'href="{reverse(CHANGELIST)}">Open the moderation queue' in page


def test_the_audit_log_reads_in_sentences_at_the_elections_time(force_login_verified, submit, moderator):
    incident = claim(submit(), moderator)
    event = incident.events.get(action=EventAction.CLAIMED)
    page = force_login_verified(moderator).get(reverse("admin:incidents_incidentevent_changelist")).content.decode()
    assert f"{moderator.username} claimed it." in page
    local = timezone.localtime(event.created_at, incident.election.zone)
    assert f"{local:%Y}" in page and "(Asia/Almaty)" in page
