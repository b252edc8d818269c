"""Receiving an SMS: exactly one report per message, the same text within 12 hours is one report,
PINs and their lockout, unknown numbers answered once a day, every message that makes no report kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import DeniedAccess, Detention, Incident, IncidentEvent, SmsMessage, SmsStatus, Source
from incidents.services.sms import text_digest

from .. import factories
from .conftest import PHONE


def receive(text, message_id="SM1", sender=PHONE, **kwargs):
    return services.sms_receive(gateway="generic", gateway_message_id=message_id, sender=sender, text=text, **kwargs)


@pytest.mark.django_db
def test_a_message_becomes_one_report_through_the_web_forms_service(sms_observer):
    received = receive("D 75-001 12 P A")
    incident = Incident.objects.get()
    assert received.created and received.message.status == SmsStatus.REPORT_MADE
    assert received.message.incident == incident and received.message.observer == sms_observer
    assert incident.kind == "detention" and incident.source == Source.SMS and incident.reporter == sms_observer
    assert incident.polling_station.number == "75-001" and incident.region.code == "KZ-75"
    assert incident.description == "D 75-001 12 P A"  # the observer's words, private
    assert incident.client_token.startswith("sms-")
    detention = Detention.objects.get(incident=incident)
    assert (detention.people_detained, detention.detained_by, detention.circumstances) == (12, "police", "at_protest")
    assert IncidentEvent.objects.filter(incident=incident, action="submitted", actor=sms_observer.user).count() == 1
    assert received.reply == f"Received: {incident.reference} (Detention, 75-001). Thank you."


@pytest.mark.django_db
def test_a_gateway_message_id_seen_before_makes_nothing_and_repeats_the_answer(sms_observer):
    first = receive("A 75-001 O E")
    again = receive("A 75-001 O E")
    assert not again.created and again.message == first.message and again.reply == first.reply
    assert Incident.objects.count() == 1 and SmsMessage.objects.count() == 1
    assert DeniedAccess.objects.get().methods == ["expelled"]


@pytest.mark.django_db
def test_the_same_text_from_the_same_number_within_12_hours_is_the_same_report(sms_observer):
    start = timezone.now() - datetime.timedelta(hours=20)
    first = receive("D 75-001 12 P A", "SM1", received_at=start)
    same = receive("d 75-001, 12 p a", "SM2", received_at=start + datetime.timedelta(hours=11, minutes=59))
    later = receive("D 75-001 12 P A", "SM3", received_at=start + datetime.timedelta(hours=12, minutes=1))
    assert same.message.incident == first.message.incident and same.created
    assert same.reply == f"Already received as {first.message.incident.reference}. Thank you."
    assert later.message.incident != first.message.incident  # outside the window: a new report
    assert Incident.objects.count() == 2 and SmsMessage.objects.count() == 3


@pytest.mark.django_db
def test_two_different_messages_from_one_phone_make_two_reports(sms_observer):
    receive("D 75-001 12 P A", "SM1")
    receive("D 75-002 3 G S", "SM2")
    assert sorted(Incident.objects.values_list("polling_station__number", flat=True)) == ["75-001", "75-002"]


@pytest.mark.django_db
def test_a_message_that_does_not_parse_is_kept_and_answered_with_an_example(sms_observer):
    received = receive("D 75-009 12 P A")
    assert received.message.status == SmsStatus.INBOX and received.message.problem == "unknown_station"
    assert received.reply == "There is no polling station 75-009. Check the number. Example: D 75-001 12 P A"
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_answers_are_in_the_observers_language_else_in_the_messages(sms_observer):
    assert receive("Д 75-009 12 П А", "SM1").reply.startswith("Участка 75-009 нет.")
    sms_observer.language = "kk"
    sms_observer.save()
    assert receive("D 75-009 12 P A", "SM2").reply.startswith("75-009 учаскесі жоқ.")


@pytest.mark.django_db
def test_help_is_answered_and_recorded(sms_observer):
    received = receive("?")
    assert received.message.status == SmsStatus.ANSWERED
    assert received.reply.startswith("Codes: D Detention; A Denied access; B Internet blockage;")


@pytest.mark.django_db
def test_an_unknown_number_gets_one_answer_a_day_and_its_messages_are_kept(almaty):
    first = receive("D 75-001 12 P A", "SM1", sender="+7 777 000 0001")
    second = receive("D 75-001 12 P A", "SM2", sender="87770000001")  # the same number written another way
    other = receive("?", "SM3", sender="+7 777 000 0002")
    same_day = receive("?", "SM4", sender="+77770000001")
    assert first.reply == "This number is not registered with Observer. Ask your coordinator."
    assert second.reply == "" and same_day.reply == ""
    assert other.reply == first.reply
    assert SmsMessage.objects.filter(status=SmsStatus.INBOX, problem="unknown_sender").count() == 4
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_an_unknown_number_is_answered_again_the_next_day(almaty):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    assert receive("?", "SM1", sender="+77770000001", received_at=yesterday).reply
    assert receive("?", "SM2", sender="+77770000001").reply


@pytest.mark.django_db
def test_a_pin_is_required_once_set_and_wrong_pins_pause_the_phone(sms_observer, settings):
    settings.OBSERVER_SMS_PIN_ATTEMPTS = 3
    services.observer_set_sms_pin(observer=sms_observer, pin="4821")
    sms_observer.refresh_from_db()
    assert sms_observer.sms_pin and "4821" not in sms_observer.sms_pin  # hashed
    assert receive("4821 D 75-001 12 P A", "SM1").message.status == SmsStatus.REPORT_MADE
    missing = receive("D 75-002 1 P A", "SM2")
    assert missing.message.problem == "pin" and missing.reply.startswith("Wrong or missing PIN")
    receive("1111 D 75-002 1 P A", "SM3")
    paused = receive("2222 D 75-002 1 P A", "SM4")
    assert paused.reply == "Too many wrong PINs: SMS reports from this phone are paused for 60 minutes."
    right_but_locked = receive("4821 D 75-002 1 P A", "SM5")
    assert right_but_locked.message.problem == "locked" and Incident.objects.count() == 1
    sms_observer.refresh_from_db()
    sms_observer.sms_locked_until = timezone.now() - datetime.timedelta(seconds=1)
    sms_observer.save()
    assert receive("4821 D 75-002 1 P A", "SM6").message.status == SmsStatus.REPORT_MADE
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_a_pin_is_four_to_eight_digits(sms_observer):
    for pin in ("123", "123456789", "12a4"):
        with pytest.raises(ValidationError):
            services.observer_set_sms_pin(observer=sms_observer, pin=pin)


@pytest.mark.django_db
def test_an_inbox_message_becomes_a_report_once_and_is_recorded(sms_observer, moderator):
    kept = receive("Задержали 5 человек у 75-001").message
    assert kept.status == SmsStatus.INBOX and kept.problem == "unknown_kind"
    station = kept.observer and factories.models.PollingStation.objects.get(number="75-001")
    made = services.sms_make_report(
        message=kept, actor=moderator, kind="detention", polling_station=station, details={"people_detained": 5}
    )
    again = services.sms_make_report(message=kept, actor=moderator, kind="detention", polling_station=station)
    assert made.status == SmsStatus.REPORT_MADE and again.incident == made.incident
    assert Incident.objects.count() == 1 and made.handled_by == moderator and made.handled_at
    incident = made.incident
    assert incident.reporter == sms_observer and incident.description == "Задержали 5 человек у 75-001"
    assert IncidentEvent.objects.get(incident=incident).actor == moderator


@pytest.mark.django_db
def test_a_dismissed_message_needs_a_reason_and_makes_no_report(sms_observer, moderator):
    kept = receive("hello").message
    with pytest.raises(ValidationError):
        services.sms_dismiss(message=kept, actor=moderator, reason=" ")
    dismissed = services.sms_dismiss(message=kept, actor=moderator, reason="Test message from a trainer")
    assert dismissed.status == SmsStatus.DISMISSED and dismissed.handled_by == moderator
    with pytest.raises(services.InboxError):
        services.sms_make_report(message=kept, actor=moderator, kind="other")


def test_the_text_digest_reads_words_as_the_parser_does():
    assert text_digest("d 75-001, 12 p a") == text_digest("  D 75-001 12 P A.")
    assert text_digest("д 75-001 12 п а") != text_digest("D 75-001 12 P A")  # Д and П are not Latin look-alikes


@pytest.mark.django_db
def test_a_message_over_the_per_minute_limit_is_kept_and_answered(sms_observer, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 1
    assert receive("D 75-001 1 P A", "SM1").message.status == SmsStatus.REPORT_MADE
    limited = receive("D 75-002 2 P A", "SM2")
    assert limited.message.status == SmsStatus.INBOX and limited.message.problem == "rate_limited"
    assert limited.reply.startswith("Kept for a moderator: You have filed 1 reports in the last minute.")
    assert Incident.objects.count() == 1
