"""manage.py sms_send: a message as a given phone through the signed webhook."""

import io

import pytest
from django.core.management import CommandError, call_command

from incidents.models import Incident, SmsMessage

pytestmark = pytest.mark.django_db


def send(*args):
    out = io.StringIO()
    call_command("sms_send", *args, stdout=out)
    return out.getvalue()


def test_sends_through_the_webhook_and_prints_the_answer(sms_observer, settings):
    settings.OBSERVER_SMS_GENERIC_SECRET = "command-secret"
    out = send("--phone", "+7 701 555 0123", "--id", "drill-7", "D 75-001 12 P A")
    incident = Incident.objects.get()
    assert "message id: drill-7" in out
    assert f"answer: Received: {incident.reference} (Detention, 75-001). Thank you." in out
    assert send("--phone", "+7 701 555 0123", "--id", "drill-7", "D 75-001 12 P A").endswith(out.split("\n", 1)[1])
    assert SmsMessage.objects.count() == 1


def test_through_twilio_too(sms_observer, settings):
    settings.OBSERVER_SMS_TWILIO_AUTH_TOKEN = "command-token"
    assert "answer: Codes: D Detention" in send("--phone", "+77015550123", "--gateway", "twilio", "?")
    assert SmsMessage.objects.get().gateway == "twilio"


def test_a_gateway_without_a_secret_is_named(sms_observer, settings):
    settings.OBSERVER_SMS_TWILIO_AUTH_TOKEN = ""
    with pytest.raises(CommandError, match="OBSERVER_SMS_TWILIO_AUTH_TOKEN"):
        send("--phone", "+77015550123", "--gateway", "twilio", "?")
    assert not SmsMessage.objects.exists()
