"""The SMS inbox in the admin: filters, a message turned into a report once, a dismissal with a reason,
the rehearsal page through the real webhook; the observer's SMS PIN set on their page."""

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from incidents import services
from incidents.models import Incident, PollingStation, SmsMessage, SmsStatus

from .conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(force_login_verified, moderator):
    return force_login_verified(moderator)


def receive(text, message_id, sender=PHONE):
    return services.sms_receive(gateway="generic", gateway_message_id=message_id, sender=sender, text=text).message


def change_url(message):
    return reverse("admin:incidents_smsmessage_change", args=[message.pk])


def test_the_inbox_lists_and_filters_messages(moderator_client, sms_observer, django_assert_max_num_queries):
    for n in range(20):
        receive(f"hello {n}", f"h{n}")
    receive("D 75-001 3 P A", "report")
    url = reverse("admin:incidents_smsmessage_changelist")
    with django_assert_max_num_queries(20):
        page = moderator_client.get(url, {"status__exact": "inbox"}).content.decode()
    assert "hello 19" in page and "D 75-001 3 P A" not in page
    page = moderator_client.get(url, {"status__exact": "report"}).content.decode()
    assert "D 75-001 3 P A" in page and "hello 1" not in page
    assert moderator_client.get(url, {"problem": "unknown_kind"}).status_code == 200
    assert "hello 7" in moderator_client.get(url, {"q": "hello 7"}).content.decode()


def test_an_inbox_message_becomes_a_report_once_through_the_admin(moderator_client, sms_observer, moderator):
    message = receive("Задержали пятерых у школы 75-001", "kept")
    station = PollingStation.objects.get(number="75-001")
    data = {"decision": "report", "kind": "detention", "polling_station": station.pk, "people_detained": "5"}
    first = moderator_client.post(change_url(message), data)
    second = moderator_client.post(change_url(message), data)  # the second click
    assert first.status_code == 302 and second.status_code == 302
    incident = Incident.objects.get()
    message.refresh_from_db()
    assert message.status == SmsStatus.REPORT_MADE and message.incident == incident and message.handled_by == moderator
    assert incident.detention.people_detained == 5 and incident.reporter == sms_observer
    assert incident.events.get().actor == moderator  # the filing is recorded as the moderator's


def test_dismissing_needs_a_reason_and_is_recorded(moderator_client, sms_observer, moderator):
    message = receive("test test", "kept")
    refused = moderator_client.post(change_url(message), {"decision": "dismiss", "reason": ""})
    assert refused.status_code == 200 and "Give a reason" in refused.content.decode()
    moderator_client.post(change_url(message), {"decision": "dismiss", "reason": "A trainer's test"})
    message.refresh_from_db()
    assert message.status == SmsStatus.DISMISSED and message.dismiss_reason == "A trainer's test"
    assert message.handled_by == moderator and message.handled_at
    assert not Incident.objects.exists()


def test_messages_are_never_added_or_deleted_in_the_admin(moderator_client, sms_observer):
    message = receive("hello", "kept")
    assert moderator_client.get(reverse("admin:incidents_smsmessage_add")).status_code == 403
    assert moderator_client.post(reverse("admin:incidents_smsmessage_delete", args=[message.pk])).status_code == 403
    assert SmsMessage.objects.count() == 1


def test_an_observer_cannot_open_the_inbox(client, sms_observer):
    receive("hello", "kept")
    client.force_login(sms_observer.user)
    response = client.get(reverse("admin:incidents_smsmessage_changelist"))
    assert response.status_code == 302 and "hello" not in response.content.decode()


def test_the_rehearsal_page_sends_through_the_signed_webhook(moderator_client, sms_observer, settings):
    settings.OBSERVER_SMS_GENERIC_SECRET = "rehearsal-secret"
    url = reverse("admin:incidents_smsmessage_rehearse")
    data = {"phone": "8 701 555 0123", "text": "D 75-001 12 P A", "gateway": "generic", "message_id": "drill-1"}
    page = moderator_client.post(url, data).content.decode()
    again = moderator_client.post(url, data).content.decode()
    incident = Incident.objects.get()
    assert f"Received: {incident.reference} (Detention, 75-001). Thank you." in page
    assert f"Received: {incident.reference}" in again and SmsMessage.objects.count() == 1
    assert SmsMessage.objects.get().gateway == "generic"


def test_the_rehearsal_page_says_when_a_gateway_has_no_secret(moderator_client, sms_observer, settings):
    settings.OBSERVER_SMS_TWILIO_AUTH_TOKEN = ""
    data = {"phone": PHONE, "text": "?", "gateway": "twilio"}
    page = moderator_client.post(reverse("admin:incidents_smsmessage_rehearse"), data).content.decode()
    assert "no secret set" in page and not SmsMessage.objects.exists()


def test_a_coordinator_sets_an_observers_sms_pin_on_their_page(force_login_verified, coordinator, sms_observer):
    client = force_login_verified(coordinator)
    url = reverse("admin:incidents_observer_change", args=[sms_observer.pk])
    data = {
        "user": sms_observer.user.pk,
        "organization": sms_observer.organization.pk,
        "kind": sms_observer.kind,
        "accreditation_number": sms_observer.accreditation_number,
        "phone": "8 (701) 555-01-23",
        "language": "ru",
        "new_sms_pin": "2468",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sms_observer.refresh_from_db()
    assert check_password("2468", sms_observer.sms_pin) and sms_observer.phone == PHONE
    assert sms_observer.language == "ru"
    refused = client.post(url, {**data, "new_sms_pin": "12"})
    assert refused.status_code == 200 and "A PIN is 4 to 8 digits." in refused.content.decode()
