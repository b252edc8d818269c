"""Second factors of staff accounts: an authenticator app (TOTP) and single-use backup codes.

A staff member sets up their app once, at their first login, and gets backup
codes then; a lost phone is a reset by a superuser or coordinator, after
which the next login sets up a new app. Nothing here logs anyone in: the
views do that with the device these functions return.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import permissions
from ..security import audit

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class SecondFactorError(Exception):
    pass


@dataclass(frozen=True)
class CodeCheck:
    """What a code proved: the device that took it, or None; ``throttled`` when
    devices refused to look at it after too many wrong codes."""

    device: Device | None
    throttled: bool = False


def normalize_code(code):
    return "".join(str(code).split()).replace("-", "").lower()


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator app ``user`` is setting up: an unconfirmed device whose
    key stays the same until it is confirmed. Refused once the user has a
    confirmed second factor: adding another needs a reset first."""
    if user_has_device(user, confirmed=True):
        raise SecondFactorError("This account already has a second factor.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, code: str) -> CodeCheck:
    """Confirm the app being set up with a code it shows; the device if the code was right."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or user_has_device(device.user, confirmed=True):
            raise SecondFactorError("This account already has a second factor.")
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(None, throttled=True)
        if not device.verify_token(normalize_code(code)):
            return CodeCheck(None)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return CodeCheck(device)


def backup_codes_renew(*, user) -> list[str]:
    """Replace ``user``'s backup codes with OBSERVER_BACKUP_CODES new ones; returns them
    (they are shown once). Old codes stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.OBSERVER_BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_check(*, user, code: str) -> CodeCheck:
    """Check a code from the app (digits) or a backup code (letters and digits).
    A backup code that works is used up. Wrong codes slow the devices down
    (django-otp's throttling: each failure doubles the wait)."""
    code = normalize_code(code)
    if not code:
        return CodeCheck(None)
    kind = TOTPDevice if code.isdigit() else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                return CodeCheck(device)
    return CodeCheck(None, throttled=throttled)


def second_factor_reset(*, user, actor, request=None) -> int:
    """Remove every second factor of ``user`` (a lost phone): their next login sets up
    a new app, and sessions that passed with the old one lose staff powers.
    ``actor`` None is the operator of the server (``manage.py reset_second_factor``).
    Returns how many devices were removed."""
    if actor is not None and not permissions.can_reset_second_factor(actor, user):
        raise PermissionDenied("You may not reset this account's second factor.")
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
    audit.log(
        "second-factor-reset",
        request=request,
        user=user,
        by=actor.get_username() if actor is not None else "manage.py",
        devices=len(devices),
    )
    return len(devices)
