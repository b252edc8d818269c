"""Receiving SMS reports, and what a moderator does with the messages that made none.

``sms_receive`` is what every gateway's webhook calls. What it guarantees:

- exactly once per gateway message id: the message row is unique on
  (gateway, gateway message id) and everything a message causes is written
  in the transaction that inserts it, so a repeat — sequential or at the
  same moment — finds the row and gets the same answer, and nothing new;
- the same text from the same number within OBSERVER_SMS_SAME_REPORT_HOURS
  is the same report (messages of one observer are taken one at a time: the
  observer's row is locked);
- a report goes through ``incident_submit``, the web form's service (source
  SMS, the text as the observer's private description), with a client token
  made from the message, so the incident itself is also made once;
- a message that makes no report is kept (status "inbox", ``problem`` says
  why) and answered with what is wrong; none is dropped.
"""

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    DatePrecision,
    Election,
    Observer,
    PollingStation,
    Region,
    SmsMessage,
    SmsStatus,
    SmsUnknownSenderAnswer,
    Source,
)
from ..sms import codes, replies
from ..sms.parser import Help, Places, Problem, Report, parse, words
from ..sms.phones import normalize_phone
from .incidents import SubmissionRateLimited, WorkflowError, incident_submit


@dataclass(frozen=True)
class Received:
    message: SmsMessage
    #: the answer to send back ("" for none)
    reply: str
    #: False when the gateway message id had been seen before
    created: bool


def text_digest(text):
    """The words of a text as the parser reads them, hashed: "d 75-001, 12 p a" and "D 75-001 12 P A" are one text."""
    folded = " ".join(folded for _original, folded, _start in words(text or ""))
    return hashlib.sha256(folded.encode()).hexdigest()


def client_token_for(message):
    """The idempotency token of the report a message makes (the same for the webhook and the inbox)."""
    key = f"{message.gateway}\n{message.gateway_message_id}".encode()
    return "sms-" + hashlib.sha256(key).hexdigest()[:40]


class StationNumbers(Mapping):
    """An election's station numbers -> region codes, looked up in the database one number at a time."""

    def __init__(self, election):
        self.election = election
        self.found = {}

    def _station(self, number):
        if number not in self.found:
            stations = PollingStation.objects.filter(election=self.election).select_related("region")
            # the parser reads numbers in capitals: the exact match uses the unique index; letters typed
            # in another case than the election wrote them fall back to a case-blind match
            self.found[number] = (
                stations.filter(number=number).first() or stations.filter(number__iexact=number).first()
            )
        return self.found[number]

    def __contains__(self, number):
        return self._station(number) is not None

    def __getitem__(self, number):
        station = self._station(number)
        if station is None:
            raise KeyError(number)
        return station.region.code.upper()

    def __iter__(self):
        return iter(number for number, station in self.found.items() if station is not None)

    def __len__(self):
        return sum(1 for _ in self)


class RegionCodes(Mapping):
    """Region codes -> levels, looked up in the database one code at a time."""

    def __init__(self):
        self.found = {}

    def _region(self, code):
        if code not in self.found:
            self.found[code] = (
                Region.objects.filter(code=code).first() or Region.objects.filter(code__iexact=code).first()
            )
        return self.found[code]

    def __contains__(self, code):
        return self._region(code) is not None

    def __getitem__(self, code):
        region = self._region(code)
        if region is None:
            raise KeyError(code)
        return region.level

    def __iter__(self):
        return iter(code for code, region in self.found.items() if region is not None)

    def __len__(self):
        return sum(1 for _ in self)


def places_of(election):
    return Places(stations=StationNumbers(election), regions=RegionCodes(), country=election.country.upper())


def sms_receive(
    *, gateway: str, gateway_message_id: str, sender: str, text: str, received_at: datetime.datetime | None = None
) -> Received:
    """Take one inbound message: store it once, make its report or keep it for a moderator, and say what to answer.

    A gateway message id seen before writes nothing and returns the answer given the first time.
    """
    existing = SmsMessage.objects.filter(gateway=gateway, gateway_message_id=gateway_message_id).first()
    if existing is not None:
        return Received(existing, existing.reply, created=False)
    now = timezone.now()
    received_at = min(received_at or now, now)
    try:
        with transaction.atomic():
            message = SmsMessage(
                gateway=gateway,
                gateway_message_id=gateway_message_id,
                sender=normalize_phone(sender) or sender.strip()[:20],
                text=text,
                text_digest=text_digest(text),
                received_at=received_at,
            )
            _handle(message)
            # Inserted last, with everything it caused: a copy arriving at the same moment fails here on the
            # unique (gateway, id) and its transaction — its report included — is undone (the report itself is
            # one: both carry the same client token).
            message.save(force_insert=True)
    except IntegrityError:
        # The same message at the same moment: the other request stored it (and its answer) first.
        existing = SmsMessage.objects.filter(gateway=gateway, gateway_message_id=gateway_message_id).first()
        if existing is None:
            raise
        return Received(existing, existing.reply, created=False)
    return Received(message, message.reply, created=True)


def _keep(message, problem, reply):
    message.status, message.problem, message.reply = SmsStatus.INBOX, problem, reply


def _handle(message):
    # One message of an observer at a time (their row is locked): the same-text window and the PIN count
    # stay right under load.
    observers = list(
        Observer.objects.select_for_update(of=("self",)).select_related("user").filter(phone=message.sender)[:2]
    )
    if len(observers) != 1:
        language = replies.language_for(message.text)
        if observers:
            reply = replies.in_language(language, replies.kept, reason=_("this number belongs to two observers."))
            return _keep(message, "shared_number", reply)
        return _keep(message, "unknown_sender", _answer_unknown_sender(message, language))
    observer = observers[0]
    message.observer = observer
    language = replies.language_for(message.text, observer.language)
    with translation.override(language):
        _handle_from_observer(message, observer)


def _answer_unknown_sender(message, language):
    """One short answer a day to a number that is no observer's, so that the site cannot be used to flood a phone."""
    try:
        with transaction.atomic():
            SmsUnknownSenderAnswer.objects.create(sender=message.sender, day=message.received_at.date())
    except IntegrityError:
        return ""
    return replies.in_language(language, replies.unknown_sender)


def _handle_from_observer(message, observer):
    now = timezone.now()
    if observer.sms_locked_until and observer.sms_locked_until > now:
        minutes = max(1, int((observer.sms_locked_until - now).total_seconds() // 60) + 1)
        return _keep(message, "locked", replies.locked(minutes=minutes))
    election = Election.objects.filter(is_current=True).first()
    if election is None:
        return _keep(message, "no_election", replies.no_election())
    places = places_of(election)
    result = parse(message.text, places)
    if observer.sms_pin:
        if result.pin is None or not check_password(result.pin, observer.sms_pin):
            return _wrong_pin(message, observer, now)
        if observer.sms_pin_failures:
            observer.sms_pin_failures = 0
            observer.save(update_fields=["sms_pin_failures"])
    if isinstance(result, Help):
        message.status, message.reply = SmsStatus.ANSWERED, replies.help_text(result.kind)
        return None
    if isinstance(result, Problem):
        return _keep(message, result.reason, replies.problem_text(result))
    return _report(message, observer, election, result, places.stations)


def _wrong_pin(message, observer, now):
    observer.sms_pin_failures += 1
    reply = replies.wrong_pin()
    if observer.sms_pin_failures >= settings.OBSERVER_SMS_PIN_ATTEMPTS:
        observer.sms_pin_failures = 0
        observer.sms_locked_until = now + datetime.timedelta(minutes=settings.OBSERVER_SMS_LOCK_MINUTES)
        reply = replies.locked(minutes=settings.OBSERVER_SMS_LOCK_MINUTES)
    observer.save(update_fields=["sms_pin_failures", "sms_locked_until"])
    _keep(message, "pin", reply)


def _report(message, observer, election, report: Report, stations):
    window = datetime.timedelta(hours=settings.OBSERVER_SMS_SAME_REPORT_HOURS)
    earlier = (
        SmsMessage.objects.filter(
            sender=message.sender,
            text_digest=message.text_digest,
            incident__isnull=False,
            # counted from the message that made the report (its time is the report's), not from repeats
            incident__occurred_at__gte=message.received_at - window,
        )
        .select_related("incident")
        .order_by("received_at")
        .first()
    )
    if earlier is not None:
        message.status, message.incident = SmsStatus.REPORT_MADE, earlier.incident
        message.reply = replies.already_received(reference=earlier.incident.reference)
        return None
    try:
        station = stations.found.get(report.station) if report.station else None  # looked up by the parser
        submission = submit_report(
            message=message, election=election, report=report, reporter=observer, station=station
        )
    except ValidationError as error:
        return _keep(message, "invalid", replies.kept(reason=" ".join(error.messages)))
    except (SubmissionRateLimited, WorkflowError) as error:
        return _keep(message, "rate_limited", replies.kept(reason=error.message))
    incident = submission.incident
    message.status, message.incident = SmsStatus.REPORT_MADE, incident
    place = report.station or report.region or ""
    message.reply = replies.received(reference=incident.reference, kind=incident.kind, place=place)
    return None


def submit_report(*, message, election, report: Report, reporter, actor=None, station=None):
    """File the report a message makes through the web form's service (idempotent on the message)."""
    station = (
        PollingStation.objects.filter(election=election, number__iexact=report.station).select_related("region").first()
        if report.station and station is None
        else station
    )
    region = (
        station.region
        if station
        else (Region.objects.filter(code__iexact=report.region).first() if report.region else None)
    )
    return incident_submit(
        reporter=reporter,
        election=election,
        kind=report.kind,
        description=message.text,
        occurred_at=message.received_at,
        occurred_precision=DatePrecision.APPROXIMATE,
        region=region,
        polling_station=station,
        details=dict(report.details) or None,
        source=Source.SMS,
        client_token=client_token_for(message),
        actor=actor,
    )


# What a moderator does in the SMS inbox.


class InboxError(WorkflowError):
    """The message cannot take this step (already handled)."""


def sms_make_report(*, message: SmsMessage, actor, kind: str, polling_station=None, region=None, details=None):
    """Turn a message of the inbox into a report, once: a second call returns the report the first made.

    The report is filed by the message's observer if it has one (else by no one), through
    ``incident_submit`` with the message's token, and the moderator is recorded as the one who filed it.
    """
    with transaction.atomic():
        locked = SmsMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status == SmsStatus.REPORT_MADE:
            return locked
        if locked.status == SmsStatus.DISMISSED:
            raise InboxError(_("This message was dismissed."))
        election = Election.objects.filter(is_current=True).first()
        if election is None:
            raise InboxError(_("No election is current."))
        report = Report(
            kind=kind,
            station=polling_station.number if polling_station else None,
            region=region.code if region else None,
            details=details or {},
        )
        if kind not in codes.KINDS_BY_KIND:
            raise ValidationError({"kind": _("Choose a kind.")})
        submission = submit_report(
            message=locked, election=election, report=report, reporter=locked.observer, actor=actor
        )
        locked.status, locked.incident = SmsStatus.REPORT_MADE, submission.incident
        locked.handled_by, locked.handled_at = actor, timezone.now()
        locked.save()
    return locked


def sms_dismiss(*, message: SmsMessage, actor, reason: str):
    """Dismiss a message of the inbox with a reason (recorded with who and when)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"dismiss_reason": _("Give a reason: it is recorded with the message.")})
    with transaction.atomic():
        locked = SmsMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status == SmsStatus.REPORT_MADE:
            raise InboxError(_("A report was already made from this message."))
        if locked.status == SmsStatus.DISMISSED:
            return locked
        locked.status, locked.dismiss_reason = SmsStatus.DISMISSED, reason
        locked.handled_by, locked.handled_at = actor, timezone.now()
        locked.save()
    return locked


def observer_set_sms_pin(*, observer: Observer, pin: str):
    """Set (or, with an empty ``pin``, remove) an observer's SMS PIN: 4 to 8 digits, stored hashed.
    A new PIN lifts a lockout."""
    pin = (pin or "").strip()
    if pin and not (pin.isdigit() and len(pin) in codes.PIN_LENGTHS):
        raise ValidationError({"sms_pin": _("A PIN is 4 to 8 digits.")})
    observer.sms_pin = make_password(pin) if pin else ""
    observer.sms_pin_failures = 0
    observer.sms_locked_until = None
    observer.save(update_fields=["sms_pin", "sms_pin_failures", "sms_locked_until"])
    return observer
