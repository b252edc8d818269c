"""Submitting, editing and moving incidents through the workflow.

Each service runs in one transaction and records what it did as an
IncidentEvent in that same transaction: either the change and its record are
both written, or neither is.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, personal_data, rate
from ..models import (
    DETAIL_MODELS,
    Election,
    EventAction,
    Incident,
    IncidentEvent,
    Observer,
    PollingStation,
    Region,
    Source,
    Status,
    Verification,
)
from ..models.base import latest_plausible_time
from ..public.shape import PUBLIC_INCIDENT_TEXT_FIELDS, public_text_fields
from ..signals import incident_changed
from ..workflow import EDITABLE_STATUSES, TRANSITIONS


class WorkflowError(Exception):
    """A move that cannot be made; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    """The move does not exist from the incident's current status."""


class TransitionForbidden(WorkflowError):
    """The move exists but this actor may not make it."""


class IncidentChanged(WorkflowError):
    """Someone else changed the incident since the actor last saw it."""


class IdempotencyConflict(Exception):
    """A client token was reused for a different submission."""


class SubmissionRateLimited(Exception):
    """The reporter filed more reports in the last minute than the setting allows."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Submission:
    incident: Incident
    created: bool
    #: the events a new report was recorded with (its history so far), for answering without reading it back
    events: tuple = ()


def check_version(incident, expected_version):
    """Refuse with IncidentChanged if ``incident`` is no longer at ``expected_version``
    (the version the caller saw); None accepts any version."""
    if expected_version is not None and incident.version != expected_version:
        raise IncidentChanged(
            _("Incident %(reference)s was changed by someone else; reload it and try again.")
            % {"reference": incident.reference}
        )


def lock_incident(incident, expected_version=None):
    """The incident's row read again and locked until the transaction ends (call it inside
    ``transaction.atomic``), so that two moderators acting at once are served one after the
    other; refused with IncidentChanged if someone changed it since ``expected_version``."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    check_version(locked, expected_version)
    return locked


def save_new_version(incident, *fields):
    """Save ``fields`` of a locked incident with its version raised: it changed."""
    incident.version += 1
    incident.save(update_fields=[*fields, "version", "updated_at"])


def record_event(
    *, incident, action, actor, comment="", from_status="", to_status="", changes=None, visible_to_observer=False
):
    """Append one IncidentEvent. Call inside the transaction of the change.

    Once that transaction commits, ``incident_changed`` is sent with the event.
    """
    event = IncidentEvent.objects.create(
        incident=incident,
        action=action,
        actor=actor,
        comment=comment,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        visible_to_observer=visible_to_observer,
    )
    transaction.on_commit(
        lambda: incident_changed.send(sender=Incident, incident=incident, action=action, actor=actor, event=event)
    )
    return event


def refuse_personal_data(*, incident, text, text_name="public_summary", field=None):
    """Raise ValidationError, keyed by ``field`` (default ``text_name``), if
    ``text`` holds personal data of ``incident`` (see ``personal_data``)."""
    findings = personal_data.find_in_incident_text(text, incident)
    if findings:
        raise ValidationError({field or text_name: personal_data.describe(findings, text_name)})


def refuse_personal_data_in_public_texts(*, incident, detail=None, fields=None):
    """Raise ValidationError, keyed by field, if any public text of ``incident`` holds personal data.

    The public texts are the summary and the retraction notice, and the free-text public fields of
    the details (``public.shape.public_text_fields``); ``fields`` limits the check to those names
    (the ones an edit changed). ``detail`` is the detail row as it is about to be saved.
    """
    errors = {}
    texts = [(name, getattr(incident, name), None) for name in PUBLIC_INCIDENT_TEXT_FIELDS]
    if detail is not None:
        texts += [
            (name, getattr(detail, name), detail._meta.get_field(name).verbose_name)
            for name in public_text_fields(incident.kind)
        ]
    for name, text, label in texts:
        if fields is not None and name not in fields:
            continue
        findings = personal_data.find_in_incident_text(text or "", incident)
        if findings:
            errors[name] = personal_data.describe(findings, name, label=label)
    if errors:
        raise ValidationError(errors)


def validate_place_and_time(
    *, election: Election, region: Region | None, polling_station: PollingStation | None, occurred_at: datetime.datetime
):
    """Raise ValidationError (keyed by field) if the place or time cannot be right."""
    errors = {}
    if polling_station is not None:
        if polling_station.election_id != election.pk:
            errors["polling_station"] = _("This polling station belongs to another election.")
        elif region is not None and polling_station.region_id != region.pk:
            errors["polling_station"] = _("This polling station is not in the chosen region.")
    if occurred_at > latest_plausible_time():
        errors["occurred_at"] = _("This time is in the future.")
    earliest = datetime.datetime.combine(
        election.election_day - datetime.timedelta(days=settings.OBSERVER_DAYS_BEFORE_ELECTION),
        datetime.time.min,
        tzinfo=election.zone,
    )
    if occurred_at < earliest:
        errors["occurred_at"] = _("This time is long before the election (more than %(days)d days).") % {
            "days": settings.OBSERVER_DAYS_BEFORE_ELECTION
        }
    if errors:
        raise ValidationError(errors)


def build_detail(kind, details):
    """An unsaved detail row for ``kind`` from a dict of its fields, validated (see ``validate_new``)."""
    model = DETAIL_MODELS.get(kind)
    if model is None:
        if details:
            raise ValidationError(_("This kind of incident takes no details."))
        return None
    detail = model(**(details or {}))
    validate_new(detail, exclude=["incident"])
    return detail


def validate_new(instance, *, exclude):
    """``full_clean`` of a row about to be inserted, less its check constraints.

    Django validates each check constraint by asking the database (one query
    and one savepoint each: about twenty round trips for a new report, half
    the time of filing it). Every value those constraints test is already
    checked by its field (choices, ranges), and the database still enforces
    them on insert: ``refused_by_check`` turns its refusal into the same
    ValidationError. Related rows the caller already loaded (the election,
    region, station, reporter) are not looked up again.
    """
    loaded = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and getattr(instance._state.fields_cache.get(field.name), "pk", None) is not None
    ]
    instance.full_clean(exclude=[*exclude, *loaded], validate_constraints=False)


def refused_by_check(error, *models):
    """The ValidationError for an IntegrityError raised by a check constraint of ``models``, else None."""
    cause = error.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)  # PostgreSQL
    if name is None:  # SQLite: "CHECK constraint failed: <name>"
        match = re.search(r"CHECK constraint failed: (\w+)", str(error))
        name = match[1] if match else None
    for model in models:
        for constraint in model._meta.constraints:
            if constraint.name == name and isinstance(constraint, CheckConstraint):
                return ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code or "constraint"
                )
    return None


def existing_submission(*, client_token, reporter, client_fingerprint=None):
    """The report already filed with ``client_token`` (a retry: ``Submission(created=False)``), or None.

    Raises IdempotencyConflict when the token was used by another observer, or for another body
    (when both fingerprints are known). The web form, the API and every other channel ask this
    before reading a retry's files again; ``incident_submit`` asks it too, under its lock.
    """
    if not client_token:
        return None
    # Nearly every token is new: its look-up reads three columns, and the report only for a retry.
    found = (
        Incident.objects.filter(client_token=client_token)
        .values_list("pk", "reporter_id", "client_fingerprint")
        .first()
    )
    if found is None:
        return None
    pk, reporter_id, fingerprint = found
    if reporter_id != getattr(reporter, "pk", None) or (
        client_fingerprint and fingerprint and fingerprint != client_fingerprint
    ):
        raise IdempotencyConflict(_("This submission token was already used for a different report."))
    return Submission(Incident.objects.get(pk=pk), created=False)


def incident_submit(
    *,
    reporter: Observer | None,
    election: Election,
    kind: str,
    description: str,
    occurred_at: datetime.datetime,
    occurred_precision: str,
    region: Region | None = None,
    polling_station: PollingStation | None = None,
    location_text: str = "",
    latitude=None,
    longitude=None,
    is_sensitive: bool = False,
    details: dict | None = None,
    source: str = Source.OBSERVER,
    source_url: str = "",
    client_token: str | None = None,
    client_fingerprint: str = "",
    actor=None,
    is_demo: bool = False,
    existing_checked: bool = False,
    count_against_limit: bool = True,
) -> Submission:
    """File a new report and record it as submitted.

    Idempotent on ``client_token``: a second call with the same token returns
    the incident the first call created (``created=False``) and writes
    nothing. The same token from another reporter, or with another
    ``client_fingerprint``, raises IdempotencyConflict. Invalid input raises
    ValidationError keyed by field, with nothing written.

    ``existing_checked``: the caller has just asked ``existing_submission`` (before reading
    the files), so it is not asked again first; a retry that arrives in between still finds
    the report through the token's unique constraint.

    ``count_against_limit`` is False only for reports a coordinator files for an observer
    from a carried outbox file (they were written earlier, at the observer's pace).
    """
    if client_token and not existing_checked:
        existing = existing_submission(
            client_token=client_token, reporter=reporter, client_fingerprint=client_fingerprint
        )
        if existing:
            return existing

    if reporter is not None and count_against_limit:
        _count_against_rate_limit(reporter)
    if polling_station is not None and region is None:
        region = polling_station.region
    validate_place_and_time(election=election, region=region, polling_station=polling_station, occurred_at=occurred_at)
    incident = Incident(
        election=election,
        kind=kind,
        region=region,
        polling_station=polling_station,
        location_text=location_text,
        latitude=latitude,
        longitude=longitude,
        is_sensitive=is_sensitive,
        occurred_at=occurred_at,
        occurred_precision=occurred_precision,
        description=description,
        source=source,
        source_url=source_url,
        reporter=reporter,
        client_token=client_token or None,
        client_fingerprint=client_fingerprint,
        is_demo=is_demo,
    )
    incident.reference = Incident.new_reference(election.reference_prefix)
    validate_new(incident, exclude=["reference", "client_token"])
    detail = build_detail(kind, details)

    # The database keeps the reference unique: a reference already taken (about one chance in a
    # billion) is found when the insert is refused, and another is drawn; no look-up first.
    for attempt in range(REFERENCE_TRIES):
        try:
            with transaction.atomic():
                incident.save(force_insert=True)
                if detail is not None:
                    detail.incident = incident
                    detail.save(force_insert=True)  # a new row: no UPDATE tried first
                event = record_event(
                    incident=incident,
                    action=EventAction.SUBMITTED,
                    actor=actor or (reporter.user if reporter else None),
                    to_status=Status.SUBMITTED,
                    visible_to_observer=True,
                )
        except IntegrityError as error:
            incident.pk = None
            # A concurrent retry with the same token won the race: answer with its incident.
            if client_token:
                existing = existing_submission(
                    client_token=client_token, reporter=reporter, client_fingerprint=client_fingerprint
                )
                if existing:
                    return existing
            if attempt + 1 < REFERENCE_TRIES and Incident.objects.filter(reference=incident.reference).exists():
                incident.reference = Incident.new_reference(election.reference_prefix)
                continue
            refused = refused_by_check(error, Incident, *([type(detail)] if detail is not None else []))
            if refused is None:
                raise
            raise refused from error
        return Submission(incident, created=True, events=(event,))
    raise AssertionError("unreachable: the last try returns or raises")


#: references drawn for one new report before its refusal is final
REFERENCE_TRIES = 5


def _count_against_rate_limit(reporter):
    """Allow OBSERVER_SUBMISSIONS_PER_MINUTE new reports per reporter per minute.

    Counted in the cache (Redis when configured, so every app process shares
    the count). Retries of an existing token are answered before this and
    never count.
    """
    limit = settings.OBSERVER_SUBMISSIONS_PER_MINUTE
    if not limit:
        return
    window = int(timezone.now().timestamp() // 60)
    key = f"submissions:{reporter.pk}:{window}"
    if rate.count_one(key, seconds=120) > limit:
        raise SubmissionRateLimited(
            _("You have filed %(limit)d reports in the last minute. Wait a minute, then send this one again.")
            % {"limit": limit}
        )


def incident_transition(
    *,
    incident: Incident,
    to_status: str,
    actor,
    comment: str = "",
    expected_version: int | None = None,
    verification: str | None = None,
    public_summary: str | None = None,
    duplicate_of: Incident | None = None,
) -> Incident:
    """Move ``incident`` to ``to_status`` on behalf of ``actor``.

    The row is locked for the duration, so of two moderators acting at once
    exactly one succeeds. Raises IncidentChanged if ``expected_version`` is
    given and the incident has changed since, TransitionNotAllowed if the
    move does not exist from the current status, TransitionForbidden if the
    actor may not make it, ValidationError if a required reason, summary or
    verification level is missing or if a public text (the summary when
    publishing, the notice when retracting) holds personal data. On any
    error nothing is written. Returns the updated incident.

    ``duplicate_of`` is for rejecting a duplicate (``incident_mark_duplicate``
    checks it and records the other side): the link is set and the step is
    recorded as "marked as duplicate".
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock_incident(incident, expected_version)
        from_status = locked.status
        move = TRANSITIONS.get((from_status, to_status))
        if move is None and to_status == from_status == Status.IN_REVIEW and locked.assignee_id:
            raise TransitionNotAllowed(
                _("Incident %(reference)s is already claimed by %(user)s.")
                % {"reference": locked.reference, "user": locked.assignee.get_username()}
            )
        if move is None:
            raise TransitionNotAllowed(
                _("An incident that is %(from)s cannot become %(to)s.")
                % {
                    "from": Status(from_status).label,
                    "to": Status(to_status).label if to_status in Status.values else to_status,
                }
            )
        refusal = permissions.move_refusal(actor, locked, move)
        if refusal:
            raise TransitionForbidden(str(refusal))
        if move.reason_required and not comment:
            raise ValidationError({"comment": _("Give a reason: it is recorded with this step.")})
        action = move.action

        changes = {}
        if duplicate_of is not None:
            if to_status != Status.REJECTED:
                raise TransitionNotAllowed(_("Only a rejected report can be a duplicate."))
            changes["duplicate_of"] = [None, duplicate_of.reference]
            locked.duplicate_of = duplicate_of
            action = EventAction.MERGED
        now = timezone.now()
        if to_status == Status.IN_REVIEW and from_status == Status.SUBMITTED:
            locked.assignee = actor
            locked.claimed_at = now
        elif to_status == Status.SUBMITTED:
            locked.assignee = None
            locked.claimed_at = None
        elif to_status == Status.VERIFIED:
            if verification not in Verification.values:
                raise ValidationError({"verification": _("Choose a verification level.")})
            changes["verification"] = [locked.verification, verification]
            locked.verification = verification
        elif to_status == Status.PUBLISHED:
            summary = (public_summary if public_summary is not None else locked.public_summary).strip()
            if not summary:
                raise ValidationError({"public_summary": _("Write the public summary before publishing.")})
            if summary != locked.public_summary:
                changes["public_summary"] = [locked.public_summary, summary]
            locked.public_summary = summary
            # Everything public is read at publish: the summary and each public text of the details.
            refuse_personal_data_in_public_texts(
                incident=locked, detail=locked.detail, fields=["public_summary", *public_text_fields(locked.kind)]
            )
            locked.published_at = now
        elif to_status == Status.RETRACTED:
            refuse_personal_data(incident=locked, text=comment, text_name="retraction_notice", field="comment")
            locked.retraction_notice = comment

        locked.status = to_status
        locked.version += 1
        locked.save()
        record_event(
            incident=locked,
            action=action,
            actor=actor,
            comment=comment,
            from_status=from_status,
            to_status=to_status,
            changes=changes,
            visible_to_observer=move.visible_to_observer,
        )
    return locked


#: fields an observer may change in their own report while it is editable
REPORTER_EDITABLE_FIELDS = (
    "region",
    "polling_station",
    "occurred_at",
    "occurred_precision",
    "location_text",
    "description",
    "latitude",
    "longitude",
    "is_sensitive",
)
#: fields a moderator may change at any time
#: the public texts in other languages: public whenever the incident is, so checked at every save
PUBLIC_TRANSLATIONS = {
    "public_summary_ru": "public_summary",
    "public_summary_kk": "public_summary",
    "retraction_notice_ru": "retraction_notice",
    "retraction_notice_kk": "retraction_notice",
}
MODERATOR_EDITABLE_FIELDS = (
    *REPORTER_EDITABLE_FIELDS,
    "public_summary",
    "source",
    "source_url",
    "needs_second_approval",
    *PUBLIC_TRANSLATIONS,
)


def _as_recorded(value):
    """A value as it is written into an event's ``changes``."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


def incident_edit(
    *,
    incident: Incident,
    actor,
    changes: dict,
    detail_changes: dict | None = None,
    expected_version: int | None = None,
    comment: str = "",
) -> Incident:
    """Change fields of a report and record what changed as one ``edited`` event.

    The reporter may edit their own report while it is submitted or needs
    information, and only the REPORTER_EDITABLE_FIELDS; moderators may edit
    MODERATOR_EDITABLE_FIELDS at any time. ``detail_changes`` change the
    kind's detail row. Raises TransitionForbidden, IncidentChanged or
    ValidationError, writing nothing; a call that changes nothing writes
    nothing and returns the incident as it is.
    """
    detail_changes = detail_changes or {}
    with transaction.atomic():
        locked = lock_incident(incident, expected_version)
        if permissions.is_moderator(actor):
            if not permissions.in_scope(actor, locked):
                raise TransitionForbidden(_("This report is outside your regions."))
            allowed = MODERATOR_EDITABLE_FIELDS
        elif permissions.is_reporter(actor, locked):
            if locked.status not in EDITABLE_STATUSES:
                raise TransitionForbidden(_("This report can no longer be edited."))
            allowed = REPORTER_EDITABLE_FIELDS
        else:
            raise TransitionForbidden(_("You may not edit this report."))
        refused = sorted(set(changes) - set(allowed))
        if refused:
            raise TransitionForbidden(_("These fields cannot be edited: %(fields)s.") % {"fields": ", ".join(refused)})

        recorded = {}
        for field, value in changes.items():
            old = getattr(locked, field)
            if old != value:
                recorded[field] = [_as_recorded(old), _as_recorded(value)]
                setattr(locked, field, value)
        if "polling_station" in recorded and locked.polling_station and "region" not in changes:
            locked.region = locked.polling_station.region
        detail = locked.detail
        if detail_changes:
            if detail is None:
                raise ValidationError(_("This kind of incident takes no details."))
            for field, value in detail_changes.items():
                old = getattr(detail, field)
                if old != value:
                    recorded[f"{locked.kind}.{field}"] = [_as_recorded(old), _as_recorded(value)]
                    setattr(detail, field, value)
        if not recorded:
            return locked

        if recorded.get("needs_second_approval") == [True, False] and not permissions.is_coordinator(actor):
            # one moderator alone cannot take away the need for a second one
            raise TransitionForbidden(_("Only a coordinator can say that this report no longer needs two moderators."))
        if locked.status in (Status.PUBLISHED, Status.RETRACTED):
            # The public texts of a published incident are public the moment they are saved.
            changed = [field.rsplit(".", 1)[-1] for field in recorded]
            refuse_personal_data_in_public_texts(incident=locked, detail=detail, fields=changed)
        for field, text_name in PUBLIC_TRANSLATIONS.items():
            if field in recorded:
                refuse_personal_data(incident=locked, text=getattr(locked, field), text_name=text_name, field=field)
        if {"region", "polling_station", "occurred_at"} & set(recorded):
            validate_place_and_time(
                election=locked.election,
                region=locked.region,
                polling_station=locked.polling_station,
                occurred_at=locked.occurred_at,
            )
        locked.full_clean(exclude=["reference", "client_token"])
        if detail is not None and detail_changes:
            detail.full_clean(exclude=["incident"])
            detail.save()
        locked.version += 1
        locked.save()
        record_event(
            incident=locked,
            action=EventAction.EDITED,
            actor=actor,
            comment=comment,
            changes=recorded,
            visible_to_observer=permissions.is_reporter(actor, locked),
        )
    return locked
