"""Token authentication: knox's, with two rules of ours.

- A malformed token (bytes that are not ASCII letters and digits, a NUL, an
  over-long string) is answered 401 with a reason, never a server error.
- The second factor: a token carries staff powers only if a coordinator
  issued it for the account under a verified session (``StaffTokenGrant``);
  any other token, whoever holds it, unlocks only what an observer may do.
  ``permissions.staff_powers_unlocked`` asks the user's ``is_verified``, which
  this sets, as django-otp's middleware does for a session.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from rest_framework import exceptions

from .. import permissions
from ..models import StaffTokenGrant
from ..security.backends import demo_refused

# knox tokens are hexadecimal text; a little room for a prefix setting.
TOKEN_TEXT = re.compile(rb"[A-Za-z0-9_-]{1,256}")


class TokenAuthentication(knox_auth.TokenAuthentication):
    def authenticate_credentials(self, token):
        if not TOKEN_TEXT.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token: a token is made of letters and digits only."))
        user, auth_token = super().authenticate_credentials(token)
        if demo_refused(user):
            raise exceptions.AuthenticationFailed(_("Demo accounts work only on a demonstration server."))
        staff_issued = (
            StaffTokenGrant.objects.filter(token=auth_token).exists() if permissions.is_staff_account(user) else False
        )
        user.is_verified = lambda: staff_issued
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    target_class = "incidents.api.authentication.TokenAuthentication"
