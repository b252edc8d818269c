"""Measurements attached to a blockage report as its evidence, or the note that none supports it.

Each call is one transaction with one IncidentEvent (``ooni_attached``,
``ooni_detached``, ``ooni_none``); the public pages are cleared after commit
by the event's signal, as for every other change of a published incident.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..models import BlockageMeasurement, EventAction, Incident, IncidentKind, OoniMeasurement
from .incidents import TransitionForbidden, lock_incident, record_event, save_new_version


def _locked_blockage(incident, actor, expected_version):
    if not permissions.is_moderator(actor):
        raise TransitionForbidden(_("Only moderators can attach measurements."))
    locked = lock_incident(incident, expected_version)
    if locked.kind != IncidentKind.INTERNET_BLOCKAGE:
        raise ValidationError(_("Measurements are evidence of internet blockages only."))
    return locked


def measurement_attach(
    *, incident: Incident, measurement: OoniMeasurement, actor, comment: str = "", expected_version: int | None = None
) -> BlockageMeasurement:
    """Attach ``measurement`` to the blockage report ``incident``. Attaching it again changes nothing
    (no second row, no second event), so a retried click is harmless."""
    with transaction.atomic():
        locked = _locked_blockage(incident, actor, expected_version)
        link = BlockageMeasurement.objects.filter(incident=locked, measurement=measurement).first()
        if link is not None:
            return link
        link = BlockageMeasurement.objects.create(incident=locked, measurement=measurement, attached_by=actor)
        save_new_version(locked)
        record_event(
            incident=locked,
            action=EventAction.OONI_ATTACHED,
            actor=actor,
            comment=comment,
            changes={"ooni_measurement": [None, measurement.measurement_uid]},
        )
    return link


def measurement_detach(
    *, incident: Incident, measurement: OoniMeasurement, actor, comment: str = "", expected_version: int | None = None
) -> bool:
    """Take ``measurement`` off ``incident``'s evidence; False (and nothing recorded) if it was not attached."""
    with transaction.atomic():
        locked = _locked_blockage(incident, actor, expected_version)
        deleted, _rows = BlockageMeasurement.objects.filter(incident=locked, measurement=measurement).delete()
        if not deleted:
            return False
        save_new_version(locked)
        record_event(
            incident=locked,
            action=EventAction.OONI_DETACHED,
            actor=actor,
            comment=comment,
            changes={"ooni_measurement": [measurement.measurement_uid, None]},
        )
    return True


def measurements_none_support(
    *, incident: Incident, actor, comment: str = "", expected_version: int | None = None, listed: int = 0
):
    """Record that the moderator looked at the ``listed`` measurements of the report's country,
    networks and window and found none that supports it (an event; nothing else changes)."""
    with transaction.atomic():
        locked = _locked_blockage(incident, actor, expected_version)
        return record_event(
            incident=locked,
            action=EventAction.OONI_NONE,
            actor=actor,
            comment=comment,
            changes={"ooni_measurements_listed": [None, listed]},
        )
