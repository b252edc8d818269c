"""The second factor of staff accounts: set up an authenticator app, enter a
code after the password, keep backup codes. Observers never see these pages.

After the password, the admin sends staff here (``ObserverAdminSite.login``).
A staff member without a second factor sets one up (the QR code is drawn
here, never fetched); one who has one enters a code. An unverified session
can never add a device: a stolen password alone cannot enrol a new phone.
"""

import logging
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device

from .. import permissions, services
from . import audit
from .forms import AppCodeForm, CodeForm

TOO_MANY = gettext_lazy("Too many wrong codes: wait a minute, then enter the code the app shows then.")
WRONG_CODE = gettext_lazy("This code is not right, or has been used. Enter the code the app shows now.")
WRONG_SETUP_CODE = gettext_lazy("This code is not right. Check the phone's clock, then enter the code it shows now.")

#: new backup codes wait here between the step that makes them and the page that shows them once
NEW_CODES_KEY = "security:new-backup-codes"


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _with_next(url, target):
    return f"{url}?{urlencode({'next': target})}"


def _passed(request, device, event):
    """Mark this session as having passed the second factor, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()
    audit.log(event, request=request, user=request.user, device=type(device).__name__)


def qr_svg(text):
    """An SVG QR code of ``text``, drawn here (no outside service sees the secret)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    # Made by the qrcode package from our own text: markup we wrote, nothing a user typed.
    return mark_safe(image.to_string(encoding="unicode"))


def grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor(request):
    """Enter a code after the password."""
    user = request.user
    if not permissions.needs_second_factor(user):
        return redirect("after-login")
    if permissions.passed_second_factor(user):
        return redirect(_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next(reverse("two-factor-setup"), _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            _passed(request, check.device, "second-factor-passed")
            return redirect(_next(request))
        audit.log("second-factor-failed", request=request, user=user, level=logging.WARNING, throttled=check.throttled)
        form.add_error("code", TOO_MANY if check.throttled else WRONG_CODE)
    return render(request, "security/two_factor.html", {"form": form, "next": _next(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), enter a code it shows."""
    user = request.user
    if not permissions.needs_second_factor(user):
        return redirect("after-login")
    if user_has_device(user, confirmed=True):
        # Another phone only after a reset: this page never adds a second device.
        return redirect(_with_next(reverse("two-factor"), _next(request)))
    device = services.totp_device_pending(user=user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.totp_device_confirm(device=device, code=form.cleaned_data["code"])
        if check.device is not None:
            _passed(request, check.device, "second-factor-enrolled")
            request.session[NEW_CODES_KEY] = services.backup_codes_renew(user=user)
            audit.log("backup-codes-issued", request=request, user=user)
            return redirect(_with_next(reverse("two-factor-backup-codes"), _next(request)))
        audit.log(
            "second-factor-setup-failed", request=request, user=user, level=logging.WARNING, throttled=check.throttled
        )
        form.add_error("code", TOO_MANY if check.throttled else WRONG_SETUP_CODE)
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": _next(request),
        "qr_code": qr_svg(device.config_url),
        "secret": grouped(secret),
        "config_url": device.config_url,
    }
    return render(request, "security/two_factor_setup.html", context)


@never_cache
@login_required
def backup_codes(request):
    """Show new backup codes once; make new ones (the old ones stop working)."""
    user = request.user
    if not permissions.needs_second_factor(user):
        return redirect("after-login")
    if not permissions.passed_second_factor(user):
        return redirect(_with_next(reverse("two-factor"), request.path))
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = services.backup_codes_renew(user=user)
        audit.log("backup-codes-issued", request=request, user=user)
        return redirect(_with_next(request.path, _next(request)))
    context = {
        "codes": request.session.pop(NEW_CODES_KEY, None),
        "left": services.backup_codes_left(user),
        "next": _next(request),
    }
    return render(request, "security/backup_codes.html", context)


def locked_out(request, original_response=None, credentials=None):
    """The answer to a login attempt while its username and address are locked out
    (django-axes calls this; the lockout itself is logged by ``audit.on_locked_out``)."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
