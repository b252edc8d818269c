"""Mail after commit: to the observer about their report, to moderators in digests."""

import io
import json

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from incidents import notifications, services
from incidents.models import Status, Verification

from . import factories


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the services queue for after commit, as a real commit would."""

    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.OBSERVER_MODERATOR_DIGEST_MINUTES = 10
    settings.OBSERVER_MODERATOR_DIGEST_TO = []
    settings.OBSERVER_SITE_URL = "https://observer.example.org"


def reporter_mail(observer):
    return [message for message in mail.outbox if message.to == [observer.user.email]]


def test_observer_hears_the_question_but_not_who_asked(submit, moderator, observer, committed):
    incident = submit()
    with committed():
        services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    mail.outbox.clear()
    with committed():
        services.incident_transition(
            incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="Which polling station was it?"
        )
    [message] = reporter_mail(observer)
    assert incident.reference in message.subject
    assert "Which polling station was it?" in message.body
    assert moderator.username not in message.body + message.subject
    assert "https://observer.example.org/" in message.body


def test_observer_hears_of_rejection_with_the_reason(submit, moderator, observer, committed):
    incident = submit()
    with committed():
        services.incident_advance(
            incident=incident, to_status=Status.REJECTED, actor=moderator, comment="Outside the election period."
        )
    [message] = reporter_mail(observer)
    assert "Outside the election period." in message.body
    assert moderator.username not in message.body


def test_observer_hears_of_publication_without_internal_notes(submit, moderator, observer, committed):
    incident = submit()
    with committed():
        services.incident_advance(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
        services.incident_advance(
            incident=incident,
            to_status=Status.VERIFIED,
            actor=moderator,
            verification=Verification.CONFIRMED,
            comment="INTERNAL: confirmed by our Almaty coordinator.",
        )
        services.incident_transition(
            incident=incident, to_status=Status.PUBLISHED, actor=moderator, public_summary="Observers kept out."
        )
    [message] = reporter_mail(observer)
    assert "published" in message.subject
    assert "INTERNAL" not in message.body and moderator.username not in message.body


def test_steps_the_observer_need_not_hear_send_nothing(submit, moderator, observer, committed):
    incident = submit()
    mail.outbox.clear()
    with committed():
        incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
        incident = services.incident_transition(incident=incident, to_status=Status.SUBMITTED, actor=moderator)
        services.incident_edit(incident=incident, actor=moderator, changes={"public_summary": "Draft."})
    assert reporter_mail(observer) == []


def test_duplicate_mail_names_no_other_report(submit, moderator, observer, committed):
    other_reporter = factories.ObserverFactory()
    primary = submit(reporter=other_reporter)
    duplicate = submit()
    mail.outbox.clear()
    with committed():
        services.incident_mark_duplicate(incident=duplicate, primary=primary, actor=moderator)
    [message] = reporter_mail(observer)
    assert duplicate.reference in message.subject
    assert primary.reference not in message.body + message.subject
    assert reporter_mail(other_reporter) == []  # the primary's observer is not told anything


def test_nothing_is_sent_when_the_transaction_rolls_back(submit, moderator, committed):
    incident = submit()
    mail.outbox.clear()
    with committed() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.incident_advance(incident=incident, to_status=Status.REJECTED, actor=moderator, comment="No.")
        raise RuntimeError("something after the move failed")
    assert callbacks == [] and mail.outbox == []
    assert incident.events.count() == 1


def test_nothing_is_sent_for_a_refused_move(submit, moderator, committed):
    incident = submit()
    mail.outbox.clear()
    with committed(), pytest.raises(services.TransitionNotAllowed):
        services.incident_transition(incident=incident, to_status=Status.PUBLISHED, actor=moderator)
    assert mail.outbox == []


def test_failed_mail_does_not_undo_or_break_the_move(submit, moderator, committed, monkeypatch, caplog):
    def broken(messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notifications, "deliver", broken)
    incident = submit()
    with committed():
        moved = services.incident_advance(incident=incident, to_status=Status.REJECTED, actor=moderator, comment="No.")
    assert moved.status == Status.REJECTED
    assert "Notification about incident" in caplog.text


def moderator_mail():
    return [message for message in mail.outbox if "waiting for a moderator" in message.subject]


def test_a_flood_of_reports_is_a_few_mails(submit, committed):
    moderators = [factories.ModeratorFactory(), factories.ModeratorFactory(), factories.CoordinatorFactory()]
    reporters = [factories.ObserverFactory() for _ in range(30)]
    with committed():
        first = submit(reporter=reporters[0])
    # The first report after a quiet spell goes out at once, one mail to each moderator.
    assert sorted(message.to[0] for message in moderator_mail()) == sorted(user.email for user in moderators)
    assert first.reference in moderator_mail()[0].body
    mail.outbox.clear()
    with committed():
        rest = [submit(reporter=reporter) for reporter in reporters[1:]]
    assert moderator_mail() == []  # within the window: they wait
    cache.delete(notifications.DIGEST_WINDOW_KEY)  # the window passes
    call_command("send_moderator_digest", stdout=io.StringIO())
    digests = moderator_mail()
    assert len(digests) == len(moderators)
    assert "29 new reports" in digests[0].subject
    assert all(incident.reference in digests[0].body for incident in rest)
    assert first.reference not in digests[0].body  # already sent
    mail.outbox.clear()
    cache.delete(notifications.DIGEST_WINDOW_KEY)
    call_command("send_moderator_digest", stdout=io.StringIO())
    assert moderator_mail() == []  # nothing new


def test_digest_tells_nothing_private(fully_filled_incident, committed):
    factories.ModeratorFactory()
    cache.delete(notifications.DIGEST_WINDOW_KEY)
    cache.delete(notifications.DIGEST_STATE_KEY)
    incident = fully_filled_incident.incident
    listed = notifications.send_moderator_digest(events=[incident.events.earliest("id")])
    assert listed == 1
    body = moderator_mail()[0].body
    assert incident.reference in body
    for private in ("PRIVATE-DESCRIPTION", "PRIVATE-LOCATION", "Privatename", "reporter-private-login"):
        assert private not in body


def test_claimed_reports_are_left_out_of_the_digest(submit, moderator, committed):
    with committed():
        submit()
    mail.outbox.clear()
    with committed():
        taken = submit(reporter=factories.ObserverFactory())
        services.incident_transition(incident=taken, to_status=Status.IN_REVIEW, actor=moderator)
    cache.delete(notifications.DIGEST_WINDOW_KEY)
    assert notifications.moderator_digest_due() == 0
    assert moderator_mail() == []


def test_answers_reach_moderators(submit, moderator, observer, committed):
    incident = submit()
    incident = services.incident_advance(incident=incident, to_status=Status.NEEDS_INFO, actor=moderator, comment="?")
    cache.set(notifications.DIGEST_STATE_KEY, {"until": incident.events.latest("id").created_at.isoformat()})
    mail.outbox.clear()
    with committed():
        services.incident_transition(
            incident=incident, to_status=Status.SUBMITTED, actor=observer.user, comment="Station 75-001."
        )
    [message, *_] = moderator_mail()
    assert incident.reference in message.body and "answered" in message.body


def test_no_window_sends_one_mail_per_report(submit, settings, committed):
    settings.OBSERVER_MODERATOR_DIGEST_MINUTES = 0
    settings.OBSERVER_MODERATOR_DIGEST_TO = ["desk@example.org"]
    with committed():
        for _ in range(3):
            submit(reporter=factories.ObserverFactory())
    assert [message.to for message in moderator_mail()] == [["desk@example.org"]] * 3


def test_mail_is_written_in_the_mail_language(submit, moderator, settings, committed, monkeypatch):
    settings.OBSERVER_MAIL_LANGUAGE = "kk"
    languages = []
    real = notifications.render_to_string

    def render(name, context):
        languages.append(translation.get_language())
        return real(name, context)

    monkeypatch.setattr(notifications, "render_to_string", render)
    with committed():
        services.incident_advance(incident=submit(), to_status=Status.REJECTED, actor=moderator, comment="No.")
    assert languages and set(languages) == {"kk"}


def test_demo_addresses_get_no_mail(submit, moderator, committed):
    reporter = factories.ObserverFactory(user__email="observer9@demo.invalid")
    factories.ModeratorFactory(email="moderator9@demo.invalid")
    with committed():
        services.incident_advance(
            incident=submit(reporter=reporter), to_status=Status.REJECTED, actor=moderator, comment="No."
        )
        submit(reporter=factories.ObserverFactory())  # a digest for the moderators
    addresses = {address for message in mail.outbox for address in message.to}
    assert addresses and not any(address.endswith(".invalid") for address in addresses)


# The task queue


class FlakyBackend(BaseEmailBackend):
    """A mail server that takes ``takes`` messages, then goes away."""

    takes = 1
    sent = []

    def send_messages(self, messages):
        for message in messages:
            if len(FlakyBackend.sent) >= FlakyBackend.takes:
                raise ConnectionRefusedError("mail server went away")
            FlakyBackend.sent.append(message)
        return len(messages)


def as_data(*addresses):
    return [{"subject": "S", "body": "B", "from_email": None, "to": [address]} for address in addresses]


def test_mail_leaves_through_the_task_queue_as_json(submit, moderator, observer, committed, monkeypatch):
    queued = []
    monkeypatch.setattr(notifications.send_mail, "delay", lambda messages: queued.append(messages))
    with committed():
        services.incident_advance(incident=submit(), to_status=Status.REJECTED, actor=moderator, comment="No.")
    assert mail.outbox == []  # nothing sent in the request: a worker sends it
    [messages] = [batch for batch in queued if batch[0]["to"] == [observer.user.email]]
    assert json.loads(json.dumps(messages)) == messages
    assert "No." in messages[0]["body"]


def test_a_worker_tries_again_only_the_messages_not_yet_sent(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.sent = []
    retried = {}

    def retry(args, exc, countdown):
        retried.update(args=args, countdown=countdown)
        return Retry(exc=exc)

    monkeypatch.setattr(notifications.send_mail, "retry", retry)
    notifications.send_mail.push_request(is_eager=False, retries=2)
    try:
        with pytest.raises(Retry):
            notifications.send_mail.run(as_data("a@example.org", "b@example.org", "c@example.org"))
    finally:
        notifications.send_mail.pop_request()
    assert [message.to for message in FlakyBackend.sent] == [["a@example.org"]]
    assert [message["to"] for message in retried["args"][0]] == [["b@example.org"], ["c@example.org"]]
    assert retried["countdown"] == 120  # further apart each time


def test_without_a_broker_a_failed_mail_is_logged_and_the_move_stands(submit, moderator, settings, committed, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.sent, FlakyBackend.takes = [], 0
    try:
        with committed():
            moved = services.incident_advance(
                incident=submit(), to_status=Status.REJECTED, actor=moderator, comment="-"
            )
    finally:
        FlakyBackend.takes = 1
    assert moved.status == Status.REJECTED
    assert "Notification about incident" in caplog.text


def test_the_periodic_digest_task_sends_the_digest(submit, committed):
    factories.ModeratorFactory()
    with committed():
        submit()  # the first after a quiet spell: sent at once
    with committed():
        waiting = submit(reporter=factories.ObserverFactory())  # within the window: waits
    mail.outbox.clear()
    cache.delete(notifications.DIGEST_WINDOW_KEY)
    assert notifications.send_moderator_digest_task.delay() is not None
    [digest] = moderator_mail()
    assert "1 new report" in digest.subject and waiting.reference in digest.body
