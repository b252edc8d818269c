"""Moderating in the admin: the queue, the incident page, bulk moves, the dashboard, who may do what."""

import io
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import EventAction, Incident, Status, Verification

from . import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:incidents_incident_changelist"


def change_url(incident):
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def moderate_url(incident):
    return reverse("admin:incidents_incident_moderate", args=[incident.pk])


def moderate(client, incident, **data):
    """Press a button of the moderation panel, as the page shows it now."""
    data.setdefault("version", Incident.objects.get(pk=incident.pk).version)
    return client.post(moderate_url(incident), data)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    return [incident.reference for incident in response.context["cl"].result_list]


def buttons(response):
    return [button["to_status"] for button in response.context["buttons"]]


@pytest.fixture
def moderator_client(force_login_verified, moderator):
    return force_login_verified(moderator)


def claim(incident, user):
    return services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=user)


# The queue


def test_queue_opens_on_waiting_reports_oldest_first(moderator_client, submit, moderator):
    first, second = submit(), submit()
    asked = services.incident_advance(incident=submit(), to_status=Status.NEEDS_INFO, actor=moderator, comment="?")
    published = services.incident_advance(
        incident=submit(),
        to_status=Status.PUBLISHED,
        actor=moderator,
        verification=Verification.CONFIRMED,
        public_summary="Done.",
    )
    claimed = claim(second, moderator)
    response = moderator_client.get(reverse(CHANGELIST))
    assert listed(response) == [first.reference, claimed.reference, asked.reference]
    everything = moderator_client.get(reverse(CHANGELIST), {"status": "all"})
    assert published.reference in listed(everything)
    only_published = moderator_client.get(reverse(CHANGELIST), {"status": "published"})
    assert listed(only_published) == [published.reference]


def test_queue_columns(moderator_client, submit, polling_station, moderator):
    incident = claim(submit(polling_station=polling_station), moderator)
    html = moderator_client.get(reverse(CHANGELIST)).content.decode()
    for text in (incident.reference, "Other violation", "Almaty", "In review", moderator.username):
        assert text in html


def test_queue_filters(moderator_client, submit, moderator, election):
    mine = claim(submit(), moderator)
    theirs = claim(submit(), factories.ModeratorFactory())
    nobodys = submit()
    with_file = submit()
    factories.AttachmentFactory(incident=with_file)
    other_kind = submit(kind="intimidation")

    def filtered(**params):
        return set(listed(moderator_client.get(reverse(CHANGELIST), params)))

    assert filtered(assignee="me") == {mine.reference}
    assert filtered(assignee=str(theirs.assignee_id)) == {theirs.reference}
    assert filtered(assignee="nobody") == {nobodys.reference, with_file.reference, other_kind.reference}
    assert filtered(attachments="yes") == {with_file.reference}
    assert with_file.reference not in filtered(attachments="no")
    assert filtered(kind__exact="intimidation") == {other_kind.reference}
    assert len(filtered(election__id__exact=str(election.pk))) == 5
    assert filtered(verification__exact="confirmed") == set()


def test_queue_search_by_reference_and_text(moderator_client, submit):
    wanted = submit(description="Ballot box carried out of the station.")
    submit(description="Something else.")
    by_reference = moderator_client.get(reverse(CHANGELIST), {"q": wanted.reference[-6:]})
    assert listed(by_reference) == [wanted.reference]
    by_text = moderator_client.get(reverse(CHANGELIST), {"q": "ballot box"})
    assert listed(by_text) == [wanted.reference]


def test_queue_query_count_does_not_grow(moderator_client, submit, moderator, django_assert_max_num_queries):
    def fill(count):
        for _ in range(count):
            incident = submit(reporter=factories.ObserverFactory())
            if incident.pk % 2:
                claim(incident, moderator)
            factories.AttachmentFactory(incident=incident)

    fill(3)
    url = reverse(CHANGELIST)
    params = {"assignee": "me", "attachments": "yes"}
    with django_assert_max_num_queries(100) as few:
        moderator_client.get(url, params)
    fill(60)  # more than a page
    with django_assert_max_num_queries(len(few)):
        response = moderator_client.get(url, params)
    assert response.status_code == 200


# Bulk moves


def test_bulk_claim_reports_moved_and_refused(moderator_client, submit):
    waiting = [submit(), submit(), submit()]
    taken = claim(submit(), factories.ModeratorFactory())
    response = moderator_client.post(
        reverse(CHANGELIST),
        {"action": "claim_selected", ACTION_CHECKBOX_NAME: [i.pk for i in [*waiting, taken]]},
        follow=True,
    )
    texts = message_texts(response)
    assert "3 reports moved to “In review”." in texts
    assert (
        f"1 report did not move: Incident {taken.reference} is already claimed by {taken.assignee.username}."
        in " ".join(texts)
    )
    assert all(Incident.objects.get(pk=i.pk).status == Status.IN_REVIEW for i in waiting)


def test_bulk_reject_asks_the_reason_first(moderator_client, submit):
    incidents = [submit(), submit()]
    selection = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [i.pk for i in incidents]}
    page = moderator_client.post(reverse(CHANGELIST), selection)
    assert page.status_code == 200 and 'name="comment"' in page.content.decode()
    assert all(Incident.objects.get(pk=i.pk).status == Status.SUBMITTED for i in incidents)
    without_reason = moderator_client.post(reverse(CHANGELIST), {**selection, "apply": "1", "comment": " "})
    assert without_reason.status_code == 200 and "required" in without_reason.content.decode()
    done = moderator_client.post(reverse(CHANGELIST), {**selection, "apply": "1", "comment": "Not an incident."})
    assert done.status_code == 302
    for incident in incidents:
        incident.refresh_from_db()
        assert incident.status == Status.REJECTED
        assert incident.events.latest("id").comment == "Not an incident."


def test_bulk_verify_then_publish(moderator_client, submit, moderator):
    ready, unwritten = submit(), submit()
    selection = {ACTION_CHECKBOX_NAME: [ready.pk, unwritten.pk]}
    moderator_client.post(
        reverse(CHANGELIST), {**selection, "action": "verify_selected", "apply": "1", "verification": "corroborated"}
    )
    ready.refresh_from_db()
    assert (ready.status, ready.verification) == (Status.VERIFIED, Verification.CORROBORATED)
    services.incident_edit(incident=ready, actor=moderator, changes={"public_summary": "Carousel voting seen."})
    response = moderator_client.post(
        reverse(f"{CHANGELIST}") + "?status=verified", {**selection, "action": "publish_selected"}, follow=True
    )
    texts = message_texts(response)
    assert "1 report moved to “Published”." in texts
    assert any("Write the public summary before publishing." in text and unwritten.reference in text for text in texts)


# The incident page


def test_buttons_are_the_moves_this_user_may_make(force_login_verified, client, submit, moderator, coordinator):
    incident = submit()
    force_login_verified(moderator)
    assert buttons(client.get(change_url(incident))) == ["in_review", "verified", "published", "needs_info", "rejected"]
    claim(incident, moderator)
    assert buttons(client.get(change_url(incident))) == [
        "verified",
        "published",
        "needs_info",
        "rejected",
        "submitted",
    ]
    force_login_verified(factories.ModeratorFactory())
    other = client.get(change_url(incident))
    assert buttons(other) == []
    html = other.content.decode()
    assert f"Claimed by {moderator.username} since" in html
    assert "No step is open to you on this report now." in html
    force_login_verified(coordinator)
    response = client.get(change_url(incident))
    assert "rejected" in buttons(response) and response.context["can_reassign"]


def test_observer_text_and_summary_side_by_side(moderator_client, fully_filled_incident):
    html = moderator_client.get(change_url(fully_filled_incident.incident)).content.decode()
    texts = html[html.index('class="moderation-texts"') :]
    assert texts.index("PRIVATE-DESCRIPTION") < texts.index("Police detained three protesters")


def test_submitted_to_published_in_one_press(moderator_client, submit, moderator):
    incident = submit()
    response = moderate(
        moderator_client,
        incident,
        to_status="published",
        verification="confirmed",
        public_summary="Observers were kept out of a polling station.",
        comment="",
    )
    assert response.status_code == 302 and response.url == change_url(incident)
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED and incident.assignee == moderator
    assert [e.action for e in incident.events.order_by("id")] == ["submitted", "claimed", "verified", "published"]


def test_demo_moderator_publishes_a_demo_report_in_three_page_loads(force_login_verified, client, settings):
    settings.DEBUG = True  # demo accounts work only under debug (incidents/security/backends.py)
    call_command("load_demo", stdout=io.StringIO())
    moderator = factories.UserFactory._meta.model.objects.get(username="moderator1")
    force_login_verified(moderator)
    report = Incident.objects.filter(status=Status.SUBMITTED, is_demo=True).first()
    # 1: the queue
    queue = client.get(reverse(CHANGELIST))
    assert report.reference in listed(queue)
    # 2: the report
    page = client.get(change_url(report))
    assert "published" in buttons(page)
    # 3: publish, and see the result
    result = client.post(
        moderate_url(report),
        {
            "version": page.context["moderation_form"]["version"].value(),
            "to_status": "published",
            "verification": "corroborated",
            "public_summary": "Independent observers were reportedly detained at several polling stations.",
            "comment": "",
        },
        follow=True,
    )
    assert result.status_code == 200 and len(result.redirect_chain) == 1
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert [e.action for e in report.events.order_by("id")] == ["submitted", "claimed", "verified", "published"]
    reporter = report.reporter
    for private in (reporter.user.username, reporter.user.first_name, reporter.user.last_name, reporter.user.email):
        assert private not in report.public_summary


def test_stale_page_is_told_plainly_and_keeps_the_text(force_login_verified, client, submit, moderator):
    incident = submit()
    force_login_verified(moderator)
    seen = client.get(change_url(incident)).context["moderation_form"]["version"].value()
    claim(incident, factories.ModeratorFactory())  # someone else, meanwhile
    response = moderate(
        client, incident, version=seen, to_status="verified", verification="confirmed", public_summary="My draft."
    )
    assert response.status_code == 302
    again = client.get(response.url)
    texts = message_texts(again)
    assert any("was changed by someone else" in text for text in texts), texts
    assert again.context["moderation_form"]["public_summary"].value() == "My draft."
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW and incident.events.count() == 2


def test_guard_refusal_names_what_was_found(force_login_verified, client, submit, moderator):
    incident = submit()
    force_login_verified(moderator)
    response = moderate(
        client,
        incident,
        to_status="published",
        verification="confirmed",
        public_summary="Call +7 701 123 4567 for the names.",
    )
    follow = client.get(response.url)
    assert any("phone number" in text and "+7 701 123 4567" in text for text in message_texts(follow))
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED and incident.public_summary == ""


def test_typed_summary_is_kept_when_claiming(moderator_client, submit):
    incident = submit()
    moderate(moderator_client, incident, to_status="in_review", public_summary="A first draft.")
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW and incident.public_summary == "A first draft."
    assert [e.action for e in incident.events.order_by("id")] == ["submitted", "claimed", "edited"]


def test_save_summary_button(moderator_client, submit):
    incident = submit()
    moderate(moderator_client, incident, save_summary="1", public_summary="Draft.")
    incident.refresh_from_db()
    assert incident.public_summary == "Draft." and incident.events.latest("id").action == EventAction.EDITED


def test_mark_duplicate_from_the_likely_list(moderator_client, submit, polling_station):
    primary = submit(polling_station=polling_station, description="Police detained two observers at the gate.")
    duplicate = submit(polling_station=polling_station, description="Two observers detained by police at the gate.")
    page = moderator_client.get(change_url(duplicate))
    assert [c.incident for c in page.context["likely_duplicates"]] == [primary]
    moderate(moderator_client, duplicate, duplicate_of=str(primary.pk), public_summary="")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.REJECTED and duplicate.duplicate_of == primary
    primary_page = moderator_client.get(change_url(primary))
    assert [d.pk for d in primary_page.context["corroborating"]] == [duplicate.pk]
    assert "1 other report of the same event" in primary_page.content.decode()


def test_mark_duplicate_by_reference(moderator_client, submit):
    primary, duplicate = submit(), submit()
    moderate(moderator_client, duplicate, mark_duplicate="1", duplicate_reference=primary.reference.lower())
    assert Incident.objects.get(pk=duplicate.pk).duplicate_of == primary
    response = moderate(moderator_client, submit(), mark_duplicate="1", duplicate_reference="KZT-NOPE00")
    assert any("no report with this reference" in text for text in message_texts(moderator_client.get(response.url)))


def test_attachment_preview_and_public_switch(moderator_client, submit):
    incident = submit()
    photo = factories.AttachmentFactory(incident=incident, content_type="image/jpeg", kind="photo")
    page = moderator_client.get(change_url(incident)).content.decode()
    assert f'<img src="{reverse("attachment-file", args=[photo.pk])}"' in page
    moderate(moderator_client, incident, attachment_public=f"{photo.pk}:1")
    photo.refresh_from_db()
    assert photo.is_public
    assert incident.events.latest("id").changes == {f"attachment {photo.pk} public": [False, True]}


def test_typed_texts_stay_when_a_file_is_made_public(moderator_client, submit, moderator):
    incident = claim(submit(), moderator)
    photo = factories.AttachmentFactory(incident=incident, content_type="image/jpeg", kind="photo")
    typed = {"public_summary": "Half a summary.", "verification": "confirmed", "comment": "A note."}
    response = moderate(moderator_client, incident, attachment_public=f"{photo.pk}:1", **typed)
    form = moderator_client.get(response.url).context["moderation_form"]
    assert {name: form[name].value() for name in typed} == typed
    incident.refresh_from_db()
    assert incident.public_summary == "" and incident.verification == Verification.UNVERIFIED  # a draft, not saved
    # The draft is shown once: the next page load shows the report as saved.
    assert moderator_client.get(response.url).context["moderation_form"]["public_summary"].value() == ""


def corrections(page):
    """What the admin's form of an incident posts as it is shown (the incident's fields and its inlines)."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {form.add_prefix(name): form[name].value() for form in forms for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    # as the admin shows and reads it: in the election's time zone
    local = timezone.localtime(data.pop("occurred_at"), page.context["original"].election.zone)
    data.update({"occurred_at_0": local.date().isoformat(), "occurred_at_1": local.time().isoformat()})
    return data


def test_corrections_of_a_kinds_details_are_saved_and_recorded(moderator_client, submit):
    incident = submit(kind="detention", details={"people_detained": 2})
    data = corrections(moderator_client.get(change_url(incident)))
    data["detention-0-people_detained"] = 3
    response = moderator_client.post(change_url(incident), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.detention.people_detained == 3
    assert incident.events.latest("id").changes == {"detention.people_detained": [2, 3]}
    assert "people detained" in LogEntry.objects.latest("id").get_change_message().lower()  # the admin's log


def test_lists_of_choices_are_ticked_in_the_corrections(moderator_client, submit):
    incident = submit(kind="detention", details={"people_detained": 2, "detained_groups": ["protesters"]})
    page = moderator_client.get(change_url(incident))
    html = page.content.decode()
    assert 'type="checkbox" name="detention-0-detained_groups" value="journalists"' in html
    assert "[&quot;protesters&quot;]" not in html  # never JSON to type
    data = corrections(page)
    data["detention-0-detained_groups"] = ["protesters", "journalists"]
    response = moderator_client.post(change_url(incident), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.detention.detained_groups == ["protesters", "journalists"]
    assert incident.events.latest("id").action == EventAction.EDITED


def test_reassign_is_for_coordinators(force_login_verified, client, submit, moderator, coordinator):
    incident = claim(submit(), moderator)
    colleague = factories.ModeratorFactory()
    force_login_verified(moderator)
    moderate(client, incident, reassign="1", assignee=colleague.pk)
    assert Incident.objects.get(pk=incident.pk).assignee == moderator
    force_login_verified(coordinator)
    moderate(client, incident, reassign="1", assignee=colleague.pk)
    assert Incident.objects.get(pk=incident.pk).assignee == colleague


def test_main_form_refuses_a_stale_version(moderator_client, submit, moderator):
    incident = submit()
    form = moderator_client.get(change_url(incident)).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "location_text": "Corrected.",
            "occurred_at_0": "2021-01-10",
            "occurred_at_1": "16:30:00",
            "events-TOTAL_FORMS": 1,
            "events-INITIAL_FORMS": 1,
        }
    )
    data.pop("occurred_at", None)
    claim(incident, factories.ModeratorFactory())
    response = moderator_client.post(change_url(incident), data)
    assert response.status_code == 200 and "changed by someone else" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).location_text == ""


def test_incident_page_query_count_does_not_grow(moderator_client, submit, moderator, django_assert_max_num_queries):
    incident = submit()
    with django_assert_max_num_queries(100) as few:
        moderator_client.get(change_url(incident))
    for _ in range(5):
        factories.AttachmentFactory(incident=incident)
        submit(reporter=factories.ObserverFactory())  # likely duplicates
        incident = services.incident_edit(incident=incident, actor=moderator, changes={"public_summary": f"v{_}"})
    with django_assert_max_num_queries(len(few)):
        assert moderator_client.get(change_url(incident)).status_code == 200


# Who may do what


def test_observers_never_reach_the_admin(client, submit, observer):
    incident = submit()
    client.force_login(observer.user)
    assert client.get(change_url(incident)).status_code == 302  # to the login page
    response = moderate(client, incident, to_status="in_review")
    assert response.status_code == 302 and "login" in response.url
    assert Incident.objects.get(pk=incident.pk).status == Status.SUBMITTED


def test_staff_without_a_role_cannot_moderate(force_login_verified, client, submit):
    incident = submit()
    force_login_verified(factories.UserFactory(is_staff=True))
    assert client.get(change_url(incident)).status_code == 403
    assert moderate(client, incident, to_status="in_review").status_code == 403
    assert client.get(reverse("admin:incidents_incident_dashboard")).status_code == 403
    assert Incident.objects.get(pk=incident.pk).status == Status.SUBMITTED


def test_moderate_answers_only_post(moderator_client, submit):
    assert moderator_client.get(moderate_url(submit())).status_code == 405


@pytest.mark.parametrize("role", ["Moderator", "Coordinator"])
def test_nobody_adds_or_deletes_incidents_or_events(force_login_verified, client, submit, role):
    incident = submit()
    user = factories.UserFactory(is_staff=True, groups=[role])
    force_login_verified(user)
    assert client.get(reverse("admin:incidents_incident_add")).status_code == 403
    assert client.get(reverse("admin:incidents_incident_delete", args=[incident.pk])).status_code == 403
    event = incident.events.get()
    assert (
        client.post(reverse("admin:incidents_incidentevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = client.get(reverse("admin:incidents_incidentevent_change", args=[event.pk]))
    assert response.status_code == 200 and not response.context["has_change_permission"]


def test_history_inline_is_read_only(moderator_client, submit):
    incident = submit()
    response = moderator_client.get(change_url(incident))
    [history] = [
        f for f in response.context["inline_admin_formsets"] if f.opts.model._meta.model_name == "incidentevent"
    ]
    assert not history.has_change_permission and not history.has_delete_permission and not history.has_add_permission


# The dashboard


def test_dashboard_counts(moderator_client, submit, moderator, election):
    oldest = submit()
    submit(kind="intimidation")
    services.incident_advance(
        incident=submit(),
        to_status=Status.PUBLISHED,
        actor=moderator,
        verification=Verification.CONFIRMED,
        public_summary="Done.",
    )
    response = moderator_client.get(reverse("admin:incidents_incident_dashboard"))
    context = response.context
    assert context["by_status"][Status.SUBMITTED] == 2 and context["by_status"][Status.PUBLISHED] == 1
    assert context["waiting"] == 2 and context["total"] == 3
    assert context["oldest_waiting"] == oldest
    [row] = context["moderators_today"]
    assert (row["actor__username"], row["incidents"], row["claimed"], row["published"]) == (moderator.username, 1, 1, 1)
    assert {r["kind"].value: r["total"] for r in context["by_kind"]} == {"other": 2, "intimidation": 1}
    html = response.content.decode()
    assert oldest.reference in html and moderator.username in html


def test_dashboard_query_count_does_not_grow(moderator_client, submit, moderator, django_assert_max_num_queries):
    url = reverse("admin:incidents_incident_dashboard")
    submit()
    with django_assert_max_num_queries(100) as few:
        moderator_client.get(url)
    for _ in range(10):
        user = factories.ModeratorFactory()
        claim(submit(reporter=factories.ObserverFactory()), user)
    with django_assert_max_num_queries(len(few)):
        assert moderator_client.get(url).status_code == 200


def test_queue_links_to_the_dashboard(moderator_client):
    html = moderator_client.get(reverse(CHANGELIST)).content.decode()
    assert re.search(r'href="/admin/incidents/incident/dashboard/"', html)


def test_one_save_of_the_incident_and_its_details_is_one_edit(moderator_client, submit):
    incident = submit(kind="detention", details={"people_detained": 2})
    version = Incident.objects.get(pk=incident.pk).version
    edits = incident.events.filter(action=EventAction.EDITED).count()
    data = corrections(moderator_client.get(change_url(incident)))
    data["detention-0-people_detained"] = 3
    data["location_text"] = "Near the school"
    response = moderator_client.post(change_url(incident), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.version == version + 1
    assert incident.events.filter(action=EventAction.EDITED).count() == edits + 1
    assert incident.events.latest("id").changes == {
        "location_text": ["", "Near the school"],
        "detention.people_detained": [2, 3],
    }
