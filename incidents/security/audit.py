"""The ``security`` log: logins, logouts, failed logins, lockouts and every
second-factor event, one line each, with who and from which address.

Passwords and codes are never logged. Changes made in the admin are recorded
by Django's own admin log (LogEntry); moderation steps by IncidentEvent.
"""

import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

logger = logging.getLogger("security")


def client_ip(request):
    """The client's address: REMOTE_ADDR, or, behind DJANGO_PROXY_COUNT proxies that
    append to X-Forwarded-For, the address the outermost of them saw. None if unknown
    (django-axes stores it in an address column)."""
    if request is None:
        return None
    count = settings.OBSERVER_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count and _is_address(forwarded[-count]):
            return forwarded[-count]
    address = request.META.get("REMOTE_ADDR", "")
    return address if _is_address(address) else None


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _plain(value, limit=150):
    # Usernames of failed logins are typed by anyone: no line breaks or spaces get into the log.
    return "".join(ch if ch.isprintable() and not ch.isspace() else "?" for ch in str(value))[:limit]


def log(event, *, request=None, user=None, username=None, level=logging.INFO, **details):
    """Write one line to the security log: ``event user=... ip=... key=value ...``."""
    if username is None:
        username = user.get_username() if user is not None else "-"
    extra = "".join(f" {key}={_plain(value)}" for key, value in details.items())
    path = _plain(request.path) if request is not None else "-"
    logger.log(
        level,
        "%s user=%s ip=%s path=%s%s",
        event,
        _plain(username) or "-",
        _plain(client_ip(request) or "-"),
        path,
        extra,
        extra={"security_event": event, "username": username},
    )


def on_logged_in(sender, request, user, **kwargs):
    log("login", request=request, user=user, staff=user.is_staff)


def on_logged_out(sender, request, user, **kwargs):
    log("logout", request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password already masked by Django; only the username is kept.
    log("login-failed", request=request, username=str(credentials.get("username", "")), level=logging.WARNING)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    log("lockout", request=request, username=username, level=logging.WARNING)


def connect():
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="security.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="security.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="security.locked_out")
