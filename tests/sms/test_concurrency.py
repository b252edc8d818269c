"""On PostgreSQL, with real threads and connections: 600 deliveries of one message at once make one message row,
one report and 600 identical answers; two different messages of one phone at the same moment make two reports."""

import threading

import pytest
from django.db import connections

from incidents import services
from incidents.models import Incident, SmsMessage

from .conftest import PHONE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12


def deliver_at_once(messages):
    """Send each (message id, text) in ``messages`` from its own thread, all released together."""
    start = threading.Barrier(len(messages))
    answers, errors = [None] * len(messages), []

    def send(index, message_id, text):
        try:
            start.wait()
            answers[index] = services.sms_receive(
                gateway="generic", gateway_message_id=message_id, sender=PHONE, text=text
            ).reply
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, *message)) for i, message in enumerate(messages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, errors


def test_one_message_delivered_600_times_at_once_makes_one_report(on_postgres, sms_observer, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0
    answers = []
    for _round in range(600 // THREADS):
        batch, errors = deliver_at_once([("SM-storm", "D 75-001 12 P A")] * THREADS)
        assert errors == []
        answers += batch
    incident = Incident.objects.get()
    assert SmsMessage.objects.count() == 1
    assert len(answers) == 600 and set(answers) == {f"Received: {incident.reference} (Detention, 75-001). Thank you."}


def test_two_different_messages_from_one_phone_at_the_same_moment_make_two(on_postgres, sms_observer):
    answers, errors = deliver_at_once([("SM-a", "D 75-001 12 P A"), ("SM-b", "A 75-002 O E")])
    assert errors == []
    assert sorted(Incident.objects.values_list("kind", flat=True)) == ["denied_access", "detention"]
    assert all(answer.startswith("Received: ") for answer in answers)
