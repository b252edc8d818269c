"""Token authentication: knox's, with two rules of ours.

- A malformed token (bytes that are not ASCII letters and digits, a NUL, an
  over-long string) is answered 401 with a reason, never a server error.
- The second factor: a token carries staff powers only if a coordinator
  issued it for the account under a verified session (``StaffTokenGrant``);
  any other token, whoever holds it, unlocks only what an observer may do.
  ``permissions.staff_powers_unlocked`` asks the user's ``is_verified``, which
  this sets, as django-otp's middleware does for a session.

An expired token is refused and deleted, as knox does. knox also reads every
other token of the user on every request, to delete those that expired; here
that is done when a token is issued (``services.api_token_issue``), which saves
a query on every API request (lists of tokens never show expired ones). The
token's query also reads the account's observer profile, which the demo check
and every observer endpoint need: one query where there were two.
"""

import binascii
import re
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
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
        user, auth_token = self.token_user(token.decode())
        if demo_refused(user):
            raise exceptions.AuthenticationFailed(_("Demo accounts work only on a demonstration server."))
        staff_issued = (
            StaffTokenGrant.objects.filter(token=auth_token).exists() if permissions.is_staff_account(user) else False
        )
        user.is_verified = lambda: staff_issued
        return user, auth_token

    def token_user(self, token):
        """``(user, auth_token)`` for ``token`` as knox finds them, the observer profile read with them."""
        candidates = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user", "user__observer_profile")
        )
        for auth_token in candidates:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token):
        """Whether ``auth_token`` has expired (then it is deleted); the user's other tokens are not read."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    target_class = "incidents.api.authentication.TokenAuthentication"
