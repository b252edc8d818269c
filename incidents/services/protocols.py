"""Protocol copies and the PVT sample: filing, verifying, conflicts, the draw.

Each service runs in one transaction and writes one ``ProtocolCopyEvent`` per copy it
changes in that transaction. Two open copies of one station whose figures differ are
both "in conflict" and count for nothing until a moderator settles which is right.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    AttachmentKind,
    CopyAction,
    CopyStatus,
    LineRole,
    Observer,
    PollingStation,
    ProtocolCopy,
    ProtocolCopyEvent,
    ProtocolLine,
    PvtSample,
    PvtStation,
    SampleStrata,
)
from ..results import checks, pvt
from .attachments import attachment_prepare
from .incidents import IdempotencyConflict, TransitionForbidden, WorkflowError

#: figures above this are a typing error on any sheet (and would overflow the JSON's readers)
MAX_FIGURE = 10_000_000


@dataclass(frozen=True)
class ProtocolSheet:
    """What an election's protocol asks for: its lines in order and its parties."""

    lines: tuple
    parties: tuple

    @classmethod
    def of(cls, election):
        return cls(tuple(ProtocolLine.objects.filter(election=election)), tuple(election.parties.all()))

    @property
    def rules(self):
        return checks.rules_for(
            [line.role for line in self.lines if line.role != LineRole.OTHER], has_parties=bool(self.parties)
        )

    def figures(self, lines, party_votes):
        """Role → number for the checks and the estimate, with checks.PARTIES the sum of party votes."""
        by_role = {line.role: lines.get(line.code) for line in self.lines if line.role != LineRole.OTHER}
        votes = [party_votes.get(str(party.pk)) for party in self.parties]
        by_role[checks.PARTIES] = None if None in votes else sum(votes)
        return by_role

    def check(self, lines, party_votes):
        return checks.evaluate(self.rules, self.figures(lines, party_votes))

    def clean(self, lines, party_votes):
        """The figures as ``{code: int}`` and ``{party id: int}``, every one given; ValidationError otherwise."""
        errors = {}
        clean_lines, clean_votes = {}, {}
        for key, label, source, target in [
            *((line.code, line.name, lines, clean_lines) for line in self.lines),
            *((str(party.pk), party.short_name, party_votes, clean_votes) for party in self.parties),
        ]:
            value = source.get(key, source.get(int(key)) if key.isdigit() else None)
            if value in (None, ""):
                errors[key] = _("“%(line)s” is missing.") % {"line": label}
                continue
            try:
                number = int(value)
                if str(number) != str(value).strip() and not isinstance(value, int):
                    raise ValueError
            except (TypeError, ValueError):
                errors[key] = _("“%(line)s” must be a whole number.") % {"line": label}
                continue
            if not 0 <= number <= MAX_FIGURE:
                errors[key] = _("“%(line)s” must be between 0 and %(max)s.") % {"line": label, "max": MAX_FIGURE}
                continue
            target[key] = number
        known = {line.code for line in self.lines} | {str(party.pk) for party in self.parties}
        unknown = sorted({*map(str, lines), *map(str, party_votes)} - known)
        if unknown:
            errors["__all__"] = _("Not lines of this protocol: %(lines)s.") % {"lines": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)
        return clean_lines, clean_votes


def _record(copy, action, *, actor, from_status="", comment="", changes=None, visible_to_observer=False):
    return ProtocolCopyEvent.objects.create(
        copy=copy,
        polling_station_id=copy.polling_station_id,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=copy.status,
        comment=comment,
        changes=changes or {},
        visible_to_observer=visible_to_observer,
    )


def _same_figures(first, second):
    return first.lines == second.lines and first.party_votes == second.party_votes


def _flag_conflicts(copy, *, actor):
    """Mark ``copy`` and every open copy of its station that disagrees with it as in conflict."""
    others = list(
        ProtocolCopy.objects.select_for_update()
        .filter(polling_station_id=copy.polling_station_id)
        .open()
        .exclude(pk=copy.pk)
    )
    disagreeing = [other for other in others if not _same_figures(other, copy)]
    for other in disagreeing:
        if not other.in_conflict:
            other.in_conflict = True
            other.save(update_fields=["in_conflict", "updated_at"])
            _record(other, CopyAction.CONFLICT, actor=actor, changes={"with": copy.pk})
    if disagreeing and not copy.in_conflict:
        copy.in_conflict = True
        copy.save(update_fields=["in_conflict", "updated_at"])
        _record(copy, CopyAction.CONFLICT, actor=actor, changes={"with": [other.pk for other in disagreeing]})


def _prepare_photo(photo):
    if photo is None:
        return None
    prepared = attachment_prepare(photo)
    if prepared.file_type.kind != AttachmentKind.PHOTO:
        prepared.close()
        raise ValidationError({"photo": [_("The photo of the sheet must be a picture (JPEG, PNG or WebP).")]})
    return prepared


@dataclass(frozen=True)
class Filing:
    copy: ProtocolCopy
    created: bool


def protocol_copy_file(
    *,
    observer: Observer,
    polling_station: PollingStation,
    copied_at,
    lines: dict,
    party_votes: dict,
    photo=None,
    client_token: str | None = None,
) -> Filing:
    """File (or, while it is not yet verified, correct) ``observer``'s copy of a station's protocol.

    A retry with the same ``client_token`` returns the copy already filed and changes
    nothing (``created`` False); the same token for other figures raises
    IdempotencyConflict. Figures are checked against the election's lines and parties
    (ValidationError names each); the table of ``incidents.results.checks`` runs on
    them and its results are kept with the copy, passed or not. The photo is cleaned
    as any attachment (metadata stripped) and stays private.
    """
    election = polling_station.election
    sheet = ProtocolSheet.of(election)
    clean_lines, clean_votes = sheet.clean(lines, party_votes)
    if client_token:
        existing = ProtocolCopy.objects.filter(client_token=client_token).first()
        if existing is not None:
            if (
                existing.observer_id != observer.pk
                or existing.polling_station_id != polling_station.pk
                or existing.lines != clean_lines
                or existing.party_votes != clean_votes
            ):
                raise IdempotencyConflict(_("This client token was used for another copy."))
            return Filing(existing, created=False)
    prepared = _prepare_photo(photo)
    results = sheet.check(clean_lines, clean_votes)
    stored_name = None
    try:
        with transaction.atomic():
            copy = (
                ProtocolCopy.objects.select_for_update()
                .filter(observer=observer, polling_station=polling_station)
                .first()
            )
            created = copy is None
            if created:
                copy = ProtocolCopy(election=election, polling_station=polling_station, observer=observer)
            elif copy.status not in (CopyStatus.SUBMITTED, CopyStatus.NEEDS_INFO):
                raise WorkflowError(
                    _("Your copy of this station is already %(status)s; it can no longer be changed.")
                    % {"status": copy.get_status_display().lower()}
                )
            before = {"lines": copy.lines, "party_votes": copy.party_votes}
            from_status = "" if created else copy.status
            copy.copied_at = copied_at
            copy.lines, copy.party_votes = clean_lines, clean_votes
            copy.check_results = results
            copy.checks_passed = all(result["passed"] for result in results)
            copy.status = CopyStatus.SUBMITTED
            if client_token:
                copy.client_token = client_token
            if prepared is not None:
                copy.photo.save(f"sheet{prepared.file_type.extension}", prepared.content, save=False)
                stored_name = copy.photo.name
                copy.photo_content_type = prepared.file_type.content_type
                copy.photo_sha256 = prepared.sha256
            copy.save()
            _record(
                copy,
                CopyAction.FILED if created else CopyAction.CORRECTED,
                actor=observer.user,
                from_status=from_status,
                changes={"checks_failed": [r["rule"] for r in results if not r["passed"]]}
                | ({} if created else {"before": before}),
                visible_to_observer=True,
            )
            _flag_conflicts(copy, actor=observer.user)
    except IntegrityError as error:
        if stored_name:
            copy.photo.storage.delete(stored_name)
        if client_token and ProtocolCopy.objects.filter(client_token=client_token).exists():
            # a concurrent retry of the same copy won the race
            return protocol_copy_file(
                observer=observer,
                polling_station=polling_station,
                copied_at=copied_at,
                lines=lines,
                party_votes=party_votes,
                client_token=client_token,
            )
        raise WorkflowError(_("This copy could not be saved; please try again.")) from error
    except BaseException:
        if stored_name:
            copy.photo.storage.delete(stored_name)
        raise
    finally:
        if prepared is not None:
            prepared.close()
    return Filing(copy, created=created)


def _moderate(copy, *, actor, to_status, action, comment="", allowed_from, visible_to_observer=False):
    if not permissions.can_verify_copies(actor):
        raise TransitionForbidden(_("You may not verify protocol copies."))
    with transaction.atomic():
        copy = ProtocolCopy.objects.select_for_update().get(pk=copy.pk)
        if copy.status not in allowed_from:
            raise WorkflowError(
                _("This copy is %(status)s: that cannot be done now.") % {"status": copy.get_status_display().lower()}
            )
        from_status = copy.status
        copy.status = to_status
        copy.save(update_fields=["status", "updated_at"])
        _record(
            copy, action, actor=actor, from_status=from_status, comment=comment, visible_to_observer=visible_to_observer
        )
    return copy


def protocol_copy_verify(*, copy: ProtocolCopy, actor, comment: str = "") -> ProtocolCopy:
    """Mark a copy as checked against its photo. A copy in conflict stays in conflict (and uncounted)."""
    return _moderate(
        copy,
        actor=actor,
        to_status=CopyStatus.VERIFIED,
        action=CopyAction.VERIFIED,
        comment=comment,
        allowed_from=(CopyStatus.SUBMITTED, CopyStatus.NEEDS_INFO),
        visible_to_observer=True,
    )


def protocol_copy_ask(*, copy: ProtocolCopy, actor, question: str) -> ProtocolCopy:
    """Ask the observer about their copy (they see the question and may correct the figures)."""
    if not question.strip():
        raise ValidationError({"question": [_("Write the question to the observer.")]})
    return _moderate(
        copy,
        actor=actor,
        to_status=CopyStatus.NEEDS_INFO,
        action=CopyAction.ASKED,
        comment=question.strip(),
        allowed_from=(CopyStatus.SUBMITTED, CopyStatus.VERIFIED),
        visible_to_observer=True,
    )


def protocol_copy_reject(*, copy: ProtocolCopy, actor, reason: str) -> ProtocolCopy:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the copy is rejected.")]})
    return _moderate(
        copy,
        actor=actor,
        to_status=CopyStatus.REJECTED,
        action=CopyAction.REJECTED,
        comment=reason.strip(),
        allowed_from=(CopyStatus.SUBMITTED, CopyStatus.NEEDS_INFO, CopyStatus.VERIFIED),
        visible_to_observer=True,
    )


def protocol_conflict_settle(*, keep: ProtocolCopy, actor, comment: str) -> ProtocolCopy:
    """Settle a station's conflict: ``keep`` is verified and counts; every open copy that disagrees is rejected."""
    if not permissions.can_verify_copies(actor):
        raise TransitionForbidden(_("You may not verify protocol copies."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Say how the conflict was settled (what the photos show).")]})
    with transaction.atomic():
        copies = list(
            ProtocolCopy.objects.select_for_update().filter(polling_station_id=keep.polling_station_id).open()
        )
        keep = next((copy for copy in copies if copy.pk == keep.pk), None)
        if keep is None:
            raise WorkflowError(_("This copy was rejected; keep another one."))
        if not keep.in_conflict:
            raise WorkflowError(_("This copy is in no conflict."))
        for copy in copies:
            from_status = copy.status
            if copy.pk == keep.pk or _same_figures(copy, keep):
                copy.status = CopyStatus.VERIFIED if copy.pk == keep.pk else copy.status
            else:
                copy.status = CopyStatus.REJECTED
            copy.in_conflict = False
            copy.save(update_fields=["status", "in_conflict", "updated_at"])
            _record(
                copy,
                CopyAction.SETTLED,
                actor=actor,
                from_status=from_status,
                comment=comment.strip(),
                changes={"kept": keep.pk},
                visible_to_observer=True,
            )
    keep.refresh_from_db()
    return keep


def stratum_of(station, strata):
    """The stratum a station is drawn in: its region's code, with ``/urban`` or ``/rural`` when they are apart."""
    if strata == SampleStrata.REGION_AREA:
        return f"{station.region.code}/{station.area or 'unknown'}"
    return station.region.code


def pvt_sample_draw(*, election, wanted_margin: Decimal, actor, strata=SampleStrata.REGION, seed=None, is_demo=False):
    """Draw the election's PVT sample: size from ``wanted_margin`` (pvt.sample_size), stratified, seeded.

    The seed is made here (128 random bits) unless given: it must stay secret until the
    polls close, or anyone could redo the draw from the station list. A sample already
    published cannot be drawn again; one not yet published is replaced.
    """
    if not permissions.is_coordinator(actor):
        raise TransitionForbidden(_("Only a coordinator may draw the sample."))
    seed = seed or secrets.token_hex(16)
    stations = list(PollingStation.objects.filter(election=election).select_related("region"))
    if not stations:
        raise WorkflowError(_("This election has no polling stations to draw from."))
    size = pvt.sample_size(margin=float(wanted_margin), population=len(stations))
    strata_of = {station.number: stratum_of(station, strata) for station in stations}
    drawn = pvt.draw_sample(strata_of.items(), size=size, seed=seed)
    numbers = [number for group in drawn.values() for number in group]
    by_number = {station.number: station for station in stations}
    with transaction.atomic():
        previous = PvtSample.objects.select_for_update().filter(election=election).first()
        if previous is not None:
            if previous.published:
                raise WorkflowError(_("The sample of this election is published; it cannot be drawn again."))
            previous.delete()
        sample = PvtSample.objects.create(
            election=election,
            seed=seed,
            fingerprint=pvt.fingerprint(seed, numbers),
            strata=strata,
            wanted_margin=wanted_margin,
            drawn_by=actor,
            is_demo=is_demo,
        )
        PvtStation.objects.bulk_create(
            PvtStation(sample=sample, polling_station=by_number[number], stratum=strata_of[number])
            for number in numbers
        )
    return sample


def pvt_sample_publish(*, sample: PvtSample, actor) -> PvtSample:
    """Make the seed and the list public (after the polls close), so anyone can re-check the fingerprint."""
    if not permissions.is_coordinator(actor):
        raise TransitionForbidden(_("Only a coordinator may publish the sample."))
    with transaction.atomic():
        sample = PvtSample.objects.select_for_update().get(pk=sample.pk)
        sample.published = True
        sample.save(update_fields=["published"])
    return sample


def pvt_assign_observers(*, sample: PvtSample, observers, actor) -> int:
    """Give each sampled station without an observer one of ``observers``, in turn. Returns how many were given."""
    if not permissions.is_coordinator(actor):
        raise TransitionForbidden(_("Only a coordinator may assign observers."))
    observers = list(observers)
    if not observers:
        return 0
    through = Observer.assigned_stations.through
    with transaction.atomic():
        station_ids = list(sample.stations.values_list("polling_station_id", flat=True))
        covered = set(
            through.objects.filter(pollingstation_id__in=station_ids).values_list("pollingstation_id", flat=True)
        )
        missing = [pk for pk in station_ids if pk not in covered]
        through.objects.bulk_create(
            through(observer_id=observers[index % len(observers)].pk, pollingstation_id=pk)
            for index, pk in enumerate(missing)
        )
    return len(missing)
