"""The observer's pages: my reports, filing each kind, bad input, idempotency, follow-up."""

import datetime
import io
import zoneinfo

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from incidents import services
from incidents.models import (
    Attachment,
    EventAction,
    Incident,
    IncidentEvent,
    IncidentKind,
    Status,
)
from incidents.report.forms import TOKEN_SALT

from . import factories, samples

pytestmark = pytest.mark.django_db

COMMON = {
    "occurred_at_0": "2021-01-10",
    "occurred_at_1": "10:30",
    "occurred_precision": "exact",
    "location_text": "Near the school gate",
    "description": "Police took three people into a van.",
}
DETAILS = {
    IncidentKind.DETENTION: {
        "detail-people_detained": "3",
        "detail-detained_groups": ["protesters", "journalists"],
        "detail-detained_by": "police",
        "detail-circumstances": "at_protest",
        "detail-release_status": "held",
        "detail-charges": "unknown",
        "detail-injuries_reported": "unknown",
        "detail-detained_names": "Aigerim Privatova",
    },
    IncidentKind.DENIED_ACCESS: {
        "detail-person_role": "observer",
        "detail-people_affected": "2",
        "detail-stage": "counting",
        "detail-methods": ["expelled", "view_obstructed"],
        "detail-reason_given": "No reason",
        "detail-denied_by": "commission_chair",
        "detail-accreditation_shown": "true",
    },
    IncidentKind.INTERNET_BLOCKAGE: {
        "detail-scope": "city",
        "detail-blockage_type": "mobile_data",
        "detail-services": ["whatsapp", "telegram"],
        "detail-providers": "Kazakhtelecom (AS9198)",
        "detail-started_at_0": "2021-01-10",
        "detail-started_at_1": "09:00",
        "detail-ended_at_0": "2021-01-10",
        "detail-ended_at_1": "11:00",
        "detail-measurement_url": "https://explorer.ooni.org/measurement/20210110T090000Z_webconnectivity_KZ",
    },
    IncidentKind.VOTE_BUYING: {},
}


@pytest.fixture
def observer_client(client, observer, election):
    client.force_login(observer.user)
    return client


def file_url(kind):
    return reverse("report-file", args=[kind])


def nothing_saved():
    return not Incident.objects.exists() and not IncidentEvent.objects.exists() and not Attachment.objects.exists()


def fresh_form(client, kind):
    response = client.get(file_url(kind))
    assert response.status_code == 200
    return response.context["form"].initial["form_token"]


def post_report(client, kind=IncidentKind.DETENTION, region=None, files=(), token=None, **overrides):
    data = {"form_token": token or fresh_form(client, kind), **COMMON, **DETAILS[kind]}
    if region is not None:
        data["region"] = region.pk
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    if files:
        data["attachments"] = list(files)
    return client.post(file_url(kind), data)


def field_errors(response, field, form="form"):
    return [str(message) for message in response.context[form].errors.get(field, [])]


# Who may come in


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("report-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["report-list", "report-choose"])
def test_non_observer_gets_a_page_saying_so(client, moderator, url_name):
    client.force_login(moderator)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "cannot file reports" in response.content.decode()


def test_non_observer_cannot_post_a_report(client, moderator, election, region):
    client.force_login(moderator)
    response = client.post(file_url(IncidentKind.DETENTION), {**COMMON, "region": region.pk})
    assert response.status_code == 403 and nothing_saved()


# Filing


@pytest.mark.parametrize("kind", list(DETAILS), ids=str)
def test_file_each_kind(observer_client, observer, election, region, kind):
    response = post_report(observer_client, kind, region=region)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    incident = Incident.objects.get()
    assert response.url == reverse("report-filed", args=[incident.reference])
    assert incident.reporter == observer and incident.kind == kind and incident.election == election
    assert incident.status == Status.SUBMITTED and incident.region == region
    # Entered in the election's time zone (Almaty, UTC+6 in 2021).
    assert incident.occurred_at == datetime.datetime(2021, 1, 10, 4, 30, tzinfo=datetime.UTC)
    assert incident.events.get().action == EventAction.SUBMITTED
    if kind == IncidentKind.DETENTION:
        assert incident.detention.people_detained == 3
        assert incident.detention.detained_groups == ["protesters", "journalists"]
        assert incident.detention.detained_names == "Aigerim Privatova"
        assert incident.detention.injuries_reported is None
    elif kind == IncidentKind.DENIED_ACCESS:
        assert incident.denied_access.methods == ["expelled", "view_obstructed"]
        assert incident.denied_access.accreditation_shown is True
    elif kind == IncidentKind.INTERNET_BLOCKAGE:
        assert incident.internet_blockage.services == ["whatsapp", "telegram"]
        assert incident.internet_blockage.ended_at - incident.internet_blockage.started_at == datetime.timedelta(
            hours=2
        )
    else:
        assert incident.detail is None

    page = observer_client.get(response.url)
    assert incident.reference in page.content.decode()


def test_national_internet_blockage_needs_no_region(observer_client):
    response = post_report(observer_client, IncidentKind.INTERNET_BLOCKAGE, **{"detail-scope": "national"})
    assert response.status_code == 302
    assert Incident.objects.get().region is None


def test_day_only_precision_without_a_time(observer_client, region):
    response = post_report(observer_client, region=region, occurred_at_1="", occurred_precision="day")
    assert response.status_code == 302
    assert Incident.objects.get().occurred_precision == "day"


def test_unknown_kind_is_404(observer_client, election):
    assert observer_client.get(file_url("picnic")).status_code == 404


def test_choose_kind_sends_to_the_form_with_the_region(observer_client, election, region):
    response = observer_client.get(reverse("report-choose"), {"kind": "detention", "region": region.pk})
    assert response.status_code == 302
    assert response.url == f"{file_url('detention')}?region={region.pk}"
    page = observer_client.get(reverse("report-choose"))
    assert "Detention" in page.content.decode() and "Internet blockage" in page.content.decode()


def test_no_current_election_is_a_clear_page(client, observer):
    client.force_login(observer.user)
    response = client.get(file_url("detention"))
    assert response.status_code == 503
    assert "No election open" in response.content.decode()


def test_stations_listed_assigned_first_then_the_regions(observer_client, observer, election, region):
    other_region = factories.RegionFactory()
    own = factories.PollingStationFactory(election=election, region=other_region, number="71-001")
    observer.assigned_stations.add(own)
    local = factories.PollingStationFactory(election=election, region=region, number="75-002")
    elsewhere = factories.PollingStationFactory(election=election, region=factories.RegionFactory(), number="99-9")

    form = observer_client.get(file_url("detention"), {"region": region.pk}).context["form"]
    groups = form.fields["polling_station"].choices
    assert str(groups[1][0]) == "Your stations" and [pk for pk, _ in groups[1][1]] == [own.pk]
    assert [pk for pk, _ in groups[2][1]] == [local.pk]
    assert elsewhere.pk not in [pk for _, options in groups[1:] for pk, _ in options]
    # Without a region in the address, the observer's own region is chosen.
    form = observer_client.get(file_url("detention")).context["form"]
    assert form.initial["region"] == other_region.pk


def test_stations_of_a_region_for_the_script(observer_client, election, region, polling_station):
    response = observer_client.get(reverse("report-stations"), {"region": region.pk})
    assert response.json()["stations"] == [
        [polling_station.pk, str(polling_station.number) + " — " + polling_station.name, polling_station.number]
    ]
    assert observer_client.get(reverse("report-stations"), {"region": "x"}).json()["stations"] == []


def test_filing_with_photos_strips_their_location(observer_client, region):
    response = post_report(
        observer_client,
        region=region,
        files=[samples.jpeg_with_gps(colour="red"), samples.jpeg_with_gps("second.jpg", colour="blue")],
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    attachments = list(incident.attachments.all())
    assert len(attachments) == 2
    for attachment in attachments:
        with attachment.file.open("rb") as stored:
            content = stored.read()
        assert b"GPS" not in content and samples.CAMERA_MODEL.encode() not in content
        assert not Image.open(io.BytesIO(content)).getexif()
    assert [e.action for e in incident.events.all()] == [EventAction.SUBMITTED, EventAction.ATTACHED]


# Idempotency


def test_reposting_the_same_token_creates_nothing(observer_client, region):
    token = fresh_form(observer_client, IncidentKind.DETENTION)
    first = post_report(observer_client, region=region, token=token, files=[samples.jpeg_with_gps()])
    again = post_report(observer_client, region=region, token=token, files=[samples.jpeg_with_gps(colour="blue")])
    incident = Incident.objects.get()
    assert first.url == again.url == reverse("report-filed", args=[incident.reference])
    assert IncidentEvent.objects.count() == 2 and Attachment.objects.count() == 1
    page = observer_client.get(again.url)
    assert "already been received" in page.content.decode()


def test_each_rendered_form_has_its_own_token(observer_client, election):
    assert fresh_form(observer_client, "detention") != fresh_form(observer_client, "detention")


def test_failed_form_keeps_its_token_so_a_fixed_retry_is_still_one_report(observer_client, region):
    token = fresh_form(observer_client, IncidentKind.DETENTION)
    response = post_report(observer_client, region=region, token=token, description="")
    assert response.status_code == 200
    assert response.context["form"]["form_token"].value() == token
    post_report(observer_client, region=region, token=token)
    post_report(observer_client, region=region, token=token)
    assert Incident.objects.count() == 1


def test_tampered_token_is_refused(observer_client, region):
    token = fresh_form(observer_client, IncidentKind.DETENTION)
    response = post_report(observer_client, region=region, token=token[:-3] + "AAA")
    assert response.status_code == 400
    assert "could not be checked" in response.content.decode()
    assert nothing_saved()
    assert response.context["form"]["form_token"].value() != token  # a fresh one to send again


def test_token_of_another_observer_is_refused(observer_client, region, election):
    other = factories.ObserverFactory()
    token = signing.dumps({"observer": other.pk, "nonce": "stolen"}, salt=TOKEN_SALT)
    response = post_report(observer_client, region=region, token=token)
    assert response.status_code == 400 and nothing_saved()


def test_token_reused_after_another_observer_filed_with_it_shows_nothing_of_theirs(client, region, election):
    first, second = factories.ObserverFactory(), factories.ObserverFactory()
    client.force_login(first.user)
    post_report(client, region=region)
    client.force_login(second.user)
    response = post_report(
        client, region=region, token=signing.dumps({"observer": second.pk, "nonce": "x"}, salt=TOKEN_SALT)
    )
    assert response.status_code == 302
    assert Incident.objects.count() == 2


# Bad input: the message is next to its field and nothing is saved


@pytest.mark.parametrize(
    ("overrides", "field", "form", "message"),
    [
        ({"description": ""}, "description", "form", "required"),
        ({"occurred_at_0": "", "occurred_at_1": ""}, "occurred_at", "form", "required"),
        ({"occurred_at_0": ""}, "occurred_at", "form", "complete value"),
        ({"region": ""}, "region", "form", "required"),
        ({"occurred_at_0": "2031-01-10"}, "occurred_at", "form", "future"),
        ({"occurred_at_0": "2020-01-10"}, "occurred_at", "form", "long before"),
        ({"occurred_at_0": "10/01/21x"}, "occurred_at", "form", "valid date"),
        ({"detail-people_detained": "-4"}, "people_detained", "detail_form", "greater than or equal to"),
        ({"detail-people_detained": "0"}, "people_detained", "detail_form", "greater than or equal to 1"),
        ({"detail-people_detained": "100000000"}, "people_detained", "detail_form", "less than or equal to"),
        ({"detail-detained_groups": ["aliens"]}, "detained_groups", "detail_form", "valid choice"),
    ],
    ids=[
        "no-description",
        "no-time-at-all",
        "no-date",
        "no-region",
        "future",
        "long-before",
        "garbled-date",
        "negative",
        "zero",
        "absurd",
        "bad-choice",
    ],
)
def test_bad_detention_input(observer_client, region, overrides, field, form, message):
    if "region" in overrides:
        overrides["region"] = None
        response = post_report(observer_client, **overrides)
    else:
        response = post_report(observer_client, region=region, **overrides)
    assert response.status_code == 200
    errors = field_errors(response, field, form)
    assert any(message in error for error in errors), response.context[form].errors
    assert nothing_saved()
    assert "Nothing was saved" in response.content.decode()


def test_station_outside_the_region_is_refused(observer_client, election, region):
    station = factories.PollingStationFactory(election=election, region=factories.RegionFactory())
    response = post_report(observer_client, region=region, polling_station=station.pk)
    assert response.status_code == 200
    assert "not in the chosen region" in field_errors(response, "polling_station")[0]
    assert nothing_saved()
    # The form comes back listing the chosen region's stations.
    assert station.pk not in [
        pk for _, options in response.context["form"].fields["polling_station"].choices[1:] for pk, _ in options
    ]


def test_station_of_another_election_is_refused(observer_client, election, region):
    station = factories.PollingStationFactory(region=region)
    response = post_report(observer_client, region=region, polling_station=station.pk)
    assert field_errors(response, "polling_station") and nothing_saved()


def test_blockage_end_before_start_is_refused(observer_client, region):
    response = post_report(
        observer_client, IncidentKind.INTERNET_BLOCKAGE, region=region, **{"detail-ended_at_1": "08:00"}
    )
    assert response.status_code == 200
    assert field_errors(response, "ended_at", "detail_form") == ["The end is before the start."]
    assert nothing_saved()


def test_a_release_in_the_future_is_refused(observer_client, region):
    # The same rule as the API's, from the detail model: no time of a report lies in the future.
    response = post_report(
        observer_client,
        IncidentKind.DETENTION,
        region=region,
        **{"detail-release_status": "released", "detail-released_at_0": "2031-01-10", "detail-released_at_1": "12:00"},
    )
    assert response.status_code == 200
    assert field_errors(response, "released_at", "detail_form") == ["This time is in the future."]
    assert nothing_saved()


def test_bad_measurement_link_is_refused(observer_client, region):
    response = post_report(
        observer_client, IncidentKind.INTERNET_BLOCKAGE, region=region, **{"detail-measurement_url": "not a link"}
    )
    assert field_errors(response, "measurement_url", "detail_form") and nothing_saved()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: samples.upload("photo.jpg", b"<html><script>x</script></html>", "image/jpeg"), "not accepted"),
        (lambda: samples.upload("photo.png", samples.image_bytes("PNG")[:60], "image/png"), "can be opened"),
        (lambda: samples.jpeg_with_gps(size=(900, 900)), "too large"),
    ],
    ids=["forbidden-type", "does-not-decode", "too-large"],
)
def test_bad_file_comes_back_next_to_the_file_field(observer_client, region, settings, upload, message):
    settings.OBSERVER_ATTACHMENT_MAX_BYTES = 4000
    response = post_report(observer_client, region=region, files=[samples.jpeg_with_gps(), upload()])
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, "attachments"))
    assert nothing_saved()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_rate_limit_says_so_and_saves_nothing(observer_client, region, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 1
    assert post_report(observer_client, region=region).status_code == 302
    response = post_report(observer_client, region=region)
    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()
    assert Incident.objects.count() == 1


# My reports


def test_my_reports_lists_only_mine_newest_first_with_counts(observer_client, submit, moderator, region):
    first = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2})
    second = submit()
    services.incident_transition(incident=second, to_status=Status.IN_REVIEW, actor=moderator)
    theirs = submit(reporter=factories.ObserverFactory())
    response = observer_client.get(reverse("report-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(second.reference) < html.index(first.reference)
    assert theirs.reference not in html
    assert "Almaty" in html and "Detention" in html
    assert "Claimed" in html  # the last step the observer may see
    statuses = {value: count for value, _label, count in response.context["statuses"]}
    assert statuses["submitted"] == 1 and statuses["in_review"] == 1 and response.context["total"] == 2

    filtered = observer_client.get(reverse("report-list"), {"status": "in_review"}).content.decode()
    assert second.reference in filtered and first.reference not in filtered


def test_my_reports_query_count_does_not_grow(
    observer_client, submit, django_assert_max_num_queries, polling_station, settings
):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert observer_client.get(reverse("report-list")).status_code == 200
        return len(queries)

    submit(polling_station=polling_station)
    few = count_queries()
    for _ in range(24):
        submit(polling_station=polling_station)
    assert count_queries() == few
    with django_assert_max_num_queries(8):
        observer_client.get(reverse("report-list"))


# Follow-up


def test_published_report_links_to_its_public_page(observer_client, submit, moderator):
    from .conftest import publish

    incident = submit()
    url = reverse("report-detail", args=[incident.reference])
    public_url = reverse("incident-detail", args=[incident.reference])
    assert public_url not in observer_client.get(url).content.decode()
    publish(incident, moderator)
    assert public_url in observer_client.get(url).content.decode()


def test_detail_shows_what_the_observer_may_see_and_no_moderator(observer_client, submit, moderator):
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2, "detained_names": "Nurlan S."})
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    from django.db import transaction

    with transaction.atomic():
        services.record_event(
            incident=incident, action=EventAction.COMMENTED, actor=moderator, comment="INTERNAL: reporter unreliable?"
        )
    incident = services.incident_transition(
        incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Which street was it?"
    )
    html = observer_client.get(reverse("report-detail", args=[incident.reference])).content.decode()
    assert "Which street was it?" in html and "Information requested" in html
    assert "INTERNAL" not in html
    assert moderator.username not in html and "by a moderator" in html
    assert "Nurlan S." in html  # the observer's own words come back to them
    assert "Send the answer" in html


def test_other_observers_report_is_404_everywhere(client, submit):
    incident = submit()
    client.force_login(factories.ObserverFactory().user)
    for name in ("report-detail", "report-filed", "report-edit"):
        assert client.get(reverse(name, args=[incident.reference])).status_code == 404
    assert client.post(reverse("report-edit", args=[incident.reference]), {"description": "x"}).status_code == 404
    assert client.post(reverse("report-answer", args=[incident.reference]), {"answer": "x"}).status_code == 404
    assert client.get(reverse("report-detail", args=["KZT-NOSUCH"])).status_code == 404
    assert incident.events.count() == 1


def edit_data(client, incident, **overrides):
    form = client.get(reverse("report-edit", args=[incident.reference])).context["form"]
    data = {
        name: form[name].value() for name in ("region", "location_text", "description", "occurred_precision", "version")
    }
    data.update({"occurred_at_0": "2021-01-10", "occurred_at_1": "16:30"})
    data["polling_station"] = form["polling_station"].value() or ""
    data.update(overrides)
    return data


def test_edit_is_recorded_with_what_changed(observer_client, submit, observer):
    incident = submit(kind=IncidentKind.DETENTION, details={"people_detained": 2})
    data = edit_data(observer_client, incident, description="Four people, not two.")
    data.update({"detail-people_detained": "4", "detail-detained_by": "unknown", "detail-circumstances": "other"})
    data.update(
        {"detail-release_status": "unknown", "detail-charges": "unknown", "detail-injuries_reported": "unknown"}
    )
    data["attachments"] = [samples.jpeg_with_gps()]
    response = observer_client.post(reverse("report-edit", args=[incident.reference]), data)
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert incident.description == "Four people, not two." and incident.detention.people_detained == 4
    edited = incident.events.get(action=EventAction.EDITED)
    assert set(edited.changes) == {"description", "detention.people_detained"}
    assert edited.visible_to_observer and edited.actor == observer.user
    assert incident.attachments.count() == 1
    html = observer_client.get(reverse("report-detail", args=[incident.reference])).content.decode()
    assert "What happened" in html and "people detained" in html and "1 file" in html


def test_edit_with_nothing_changed_writes_nothing(observer_client, submit):
    incident = submit()
    response = observer_client.post(
        reverse("report-edit", args=[incident.reference]), edit_data(observer_client, incident, occurred_at_1="16:30")
    )
    assert response.status_code == 302
    assert incident.events.count() == 1


def test_bad_edit_comes_back_and_writes_nothing(observer_client, submit, election):
    incident = submit()
    data = edit_data(observer_client, incident, occurred_at_0="2031-01-10", attachments=[samples.jpeg_with_gps()])
    response = observer_client.post(reverse("report-edit", args=[incident.reference]), data)
    assert response.status_code == 200
    assert "future" in field_errors(response, "occurred_at")[0]
    assert incident.events.count() == 1 and not Attachment.objects.exists()


def test_edit_of_a_report_changed_meanwhile_is_refused(observer_client, submit, observer):
    incident = submit()
    data = edit_data(observer_client, incident, description="Mine")
    services.incident_edit(incident=incident, actor=observer.user, changes={"location_text": "elsewhere"})
    response = observer_client.post(reverse("report-edit", args=[incident.reference]), data)
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()


def test_no_edit_once_a_moderator_has_it(observer_client, submit, moderator):
    incident = submit()
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    response = observer_client.post(reverse("report-edit", args=[incident.reference]), {"description": "late"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.description != "late"


def test_answering_a_question_sends_the_report_back(observer_client, submit, moderator, observer):
    incident = submit()
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    services.incident_transition(incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Where?")
    url = reverse("report-answer", args=[incident.reference])

    empty = observer_client.post(url, {"answer": "  "})
    assert empty.status_code == 200 and empty.context["answer_form"].errors
    response = observer_client.post(url, {"answer": "On Abay avenue."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    answer = incident.events.latest("id")
    assert (
        answer.action == EventAction.ANSWERED and answer.comment == "On Abay avenue." and answer.actor == observer.user
    )
    # Answering twice is refused with a message, not an error page.
    again = observer_client.post(url, {"answer": "Again"}, follow=True)
    assert again.status_code == 200 and incident.events.filter(action=EventAction.ANSWERED).count() == 1


# The date of a new report


def test_new_report_starts_on_the_election_day_never_in_the_future(observer_client, election):
    # the election (10 January 2021) is past: its day, the time left to the observer
    form = observer_client.get(file_url(IncidentKind.DETENTION)).context["form"]
    assert form.initial["occurred_at"] == [election.election_day, None]
    assert form.initial["occurred_precision"] == "day"
    html = observer_client.get(file_url(IncidentKind.DETENTION)).content.decode()
    assert 'value="2021-01-10"' in html


def test_every_error_of_the_form_in_one_round(observer_client, region):
    future = (timezone.now() + datetime.timedelta(days=3)).astimezone(region_zone()).date().isoformat()
    response = post_report(observer_client, region=region, occurred_at_0=future, description="")
    assert response.status_code == 200
    assert field_errors(response, "occurred_at") == ["This time is in the future."]
    assert field_errors(response, "description")
    assert nothing_saved()


def region_zone():
    return zoneinfo.ZoneInfo("Asia/Almaty")
