"""The webhooks through the real HTTP stack (Django's test client, every middleware): signatures, one report per
message however often it is delivered, answers in each gateway's format."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from incidents.models import Incident, SmsMessage
from incidents.sms.gateways import GenericJsonGateway, twilio_signature

from .conftest import PHONE

GENERIC_SECRET = "generic-test-secret"
TWILIO_TOKEN = "twilio-test-token"
TWILIO_URL = "http://testserver/sms/twilio/"


@pytest.fixture(autouse=True)
def gateway_secrets(settings):
    settings.OBSERVER_SMS_GENERIC_SECRET = GENERIC_SECRET
    settings.OBSERVER_SMS_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.OBSERVER_SMS_TWILIO_URL = ""
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0


def post_generic(client, payload, *, secret=GENERIC_SECRET, signature=None):
    body = json.dumps(payload).encode()
    headers = {}
    if signature is not None or secret:
        headers["X-Observer-Signature"] = signature or GenericJsonGateway.sign(secret, body)
    return client.post(reverse("sms-inbound", args=["generic"]), body, content_type="application/json", headers=headers)


def post_twilio(client, params, *, token=TWILIO_TOKEN, signature=None, url=TWILIO_URL):
    headers = {"X-Twilio-Signature": signature or twilio_signature(token, url, params)} if token else {}
    return client.post(
        reverse("sms-inbound", args=["twilio"]),
        urlencode(params),
        content_type="application/x-www-form-urlencoded",  # as Twilio posts
        headers=headers,
    )


def generic(text, message_id="gw-1", sender=PHONE, received_at="2021-01-10T10:00:00+06:00"):
    payload = {"id": message_id, "from": sender, "text": text}
    return {**payload, "received_at": received_at} if received_at else payload


def twilio(text, sid="SM0001", sender=PHONE):
    return {"MessageSid": sid, "From": sender, "To": "+77010000000", "Body": text, "AccountSid": "AC123"}


def test_twilio_signature_matches_twilios_documented_examples():
    """The worked example of twilio.com/docs/usage/security (auth token 12345), as it reads today and as it read
    before the numbers in it were changed."""
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "To": "+18005551212"}
    today = {**params, "Caller": "+14158675310", "From": "+14158675310"}
    before = {**params, "Caller": "+12349013030", "From": "+12349013030"}
    assert twilio_signature("12345", url, today) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    assert twilio_signature("12345", url, before) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.mark.django_db
def test_a_signed_generic_message_makes_a_report_and_answers_in_json(client, sms_observer):
    response = post_generic(client, generic("D 75-001 12 P A"))
    incident = Incident.objects.get()
    assert response.status_code == 200
    assert response.json() == {"reply": f"Received: {incident.reference} (Detention, 75-001). Thank you."}
    assert SmsMessage.objects.get().received_at.isoformat() == "2021-01-10T04:00:00+00:00"


@pytest.mark.django_db
def test_a_signed_twilio_message_makes_a_report_and_answers_in_twiml(client, sms_observer):
    response = post_twilio(client, twilio("B KZ-75 M WA TG"))
    incident = Incident.objects.get()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f"<Message>Received: {incident.reference} (Internet blockage, KZ-75). Thank you.</Message></Response>"
    )
    assert incident.internet_blockage.services == ["whatsapp", "telegram"]


@pytest.mark.django_db
def test_twilio_is_checked_against_the_configured_url_when_one_is_set(client, sms_observer, settings):
    settings.OBSERVER_SMS_TWILIO_URL = "https://observer.example.org/sms/twilio/"
    assert post_twilio(client, twilio("D 75-001 1 P")).status_code == 403  # signed for the URL as requested
    response = post_twilio(client, twilio("D 75-001 1 P"), url="https://observer.example.org/sms/twilio/")
    assert response.status_code == 200 and Incident.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "send",
    [
        lambda client: post_generic(client, generic("D 75-001 12 P A"), secret=""),  # unsigned
        lambda client: post_generic(client, generic("D 75-001 12 P A"), secret="another secret"),
        lambda client: post_generic(client, generic("D 75-001 12 P A"), signature="sha256=" + "0" * 64),
        lambda client: post_twilio(client, twilio("D 75-001 12 P A"), token=""),  # unsigned
        lambda client: post_twilio(client, twilio("D 75-001 12 P A"), token="another token"),
        lambda client: post_twilio(client, twilio("D 75-001 12 P A"), signature="GvWf1cFY/Q7PnoempGyD5oXAezc="),
    ],
    ids=["generic-unsigned", "generic-wrong-secret", "generic-wrong", "twilio-unsigned", "twilio-wrong", "twilio-bad"],
)
def test_an_unsigned_or_wrongly_signed_request_is_refused_and_stored_nowhere(client, sms_observer, send):
    response = send(client)
    assert response.status_code == 403
    assert not SmsMessage.objects.exists() and not Incident.objects.exists()


@pytest.mark.django_db
def test_a_tampered_body_fails_its_signature(client, sms_observer):
    signed = json.dumps(generic("D 75-001 1 P")).encode()
    response = client.post(
        reverse("sms-inbound", args=["generic"]),
        json.dumps(generic("D 75-001 99 P")),
        content_type="application/json",
        headers={"X-Observer-Signature": GenericJsonGateway.sign(GENERIC_SECRET, signed)},
    )
    assert response.status_code == 403 and not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_a_gateway_without_a_secret_refuses_everything(client, sms_observer, settings):
    settings.OBSERVER_SMS_GENERIC_SECRET = ""
    assert (
        post_generic(client, generic("D 75-001 1 P"), secret="", signature=GenericJsonGateway.sign("", b"")).status_code
        == 403
    )


@pytest.mark.django_db
def test_an_unknown_gateway_is_not_found_and_get_is_not_allowed(client):
    assert client.post("/sms/nokia/", {}).status_code == 404
    assert client.get(reverse("sms-inbound", args=["generic"])).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"id": 1, "from": PHONE, "text": "x"},
        {"from": PHONE, "text": "x"},
        [1, 2],
        {"id": "a", "from": PHONE, "text": "x" * 1601},
    ],
)
def test_a_signed_request_without_a_readable_message_is_a_400_with_a_reason(client, sms_observer, payload):
    response = post_generic(client, payload)
    assert response.status_code == 400 and response.content
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_one_message_replayed_600_times_makes_one_report_and_600_identical_answers(client, sms_observer):
    answers = {
        post_generic(client, generic("D 75-001 12 P A", "replayed", received_at=None)).content for _ in range(300)
    }
    answers |= {post_twilio(client, twilio("D 75-001 12 P A", "SM-replayed")).content for _ in range(300)}
    # each gateway's id is its own message: the second is the same text within 12 hours, so the same report
    assert Incident.objects.count() == 1 and SmsMessage.objects.count() == 2
    assert len(answers) == 2  # one JSON answer, one TwiML answer, each repeated identically


@pytest.mark.django_db
def test_one_generic_message_replayed_600_times_gets_600_identical_answers(client, sms_observer):
    responses = [post_generic(client, generic("A 75-001 O E", "once")) for _ in range(600)]
    assert {response.status_code for response in responses} == {200}
    assert len({response.content for response in responses}) == 1
    assert Incident.objects.count() == 1 and SmsMessage.objects.count() == 1


@pytest.mark.django_db
def test_two_different_messages_from_one_phone_make_two_reports(client, sms_observer):
    post_generic(client, generic("D 75-001 12 P A", "first"))
    post_generic(client, generic("D 75-001 13 P A", "second"))
    assert sorted(Incident.objects.values_list("detention__people_detained", flat=True)) == [12, 13]


@pytest.mark.django_db
def test_pin_lockout_through_the_webhook(client, sms_observer, settings):
    from incidents import services

    settings.OBSERVER_SMS_PIN_ATTEMPTS = 2
    services.observer_set_sms_pin(observer=sms_observer, pin="9876")
    wrong = [post_generic(client, generic("1111 D 75-001 1 P", f"w{n}")).json()["reply"] for n in range(2)]
    assert wrong[0].startswith("Wrong or missing PIN") and wrong[1].startswith("Too many wrong PINs")
    locked = post_generic(client, generic("9876 D 75-001 1 P", "right")).json()["reply"]
    assert locked.startswith("Too many wrong PINs") and not Incident.objects.exists()


@pytest.mark.django_db
def test_an_unknown_number_is_answered_at_most_once_a_day(client, almaty):
    replies = [post_generic(client, generic("?", f"u{n}", sender="+77779998877")).json()["reply"] for n in range(5)]
    assert replies[0] and replies[1:] == [None] * 4
    assert SmsMessage.objects.filter(sender="+77779998877").count() == 5


@pytest.mark.django_db
def test_a_cyrillic_answer_fits_one_segment(client, sms_observer):
    from incidents.sms.segments import segments

    reply = post_generic(client, generic("Д 75-001 12 П А")).json()["reply"]
    assert reply.startswith("Принято: ") and segments(reply).count == 1
