"""The login backend: Django's, except that demo accounts work only under debug.

``load_demo`` gives its accounts a known password when it runs under debug
(``make run``). A database filled that way and later served with debug off
must not keep those logins working, so the check is made at every login,
every session request (``get_user``) and every token request, not only when
the accounts are made.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

#: the e-mail domain load_demo gives every demo account (staff and observers)
DEMO_EMAIL_DOMAIN = "@demo.invalid"


def is_demo_account(user):
    """An account load_demo made: its e-mail on the demo domain, or a demo observer profile."""
    from ..models import Observer

    if (user.email or "").lower().endswith(DEMO_EMAIL_DOMAIN):
        return True
    try:
        return user.observer_profile.is_demo
    except Observer.DoesNotExist:
        return False


def demo_refused(user):
    """Whether ``user`` is a demo account that may not authenticate now (debug is off)."""
    return not settings.DEBUG and is_demo_account(user)


class ModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not demo_refused(user)
