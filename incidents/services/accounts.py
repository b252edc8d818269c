"""Observer accounts: invitations instead of passwords."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .. import notifications, permissions, selectors


def invitation_link(user, *, base_url=None):
    """A one-time link at which ``user`` sets their password.

    The link is Django's password-reset link: it stops working once the
    password is set (or changed), and after PASSWORD_RESET_TIMEOUT.
    """
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{(base_url or settings.OBSERVER_SITE_URL).rstrip('/')}{path}"


def observer_invite(*, user, base_url=None):
    """Mail ``user`` a one-time link to set their password, after the current transaction commits.

    No password is ever put in a mail or a file. Returns the link (for a
    coordinator to pass on by other means when mail is not an option).
    """
    link = invitation_link(user, base_url=base_url)
    context = {"user": user, "link": link, "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    if user.email:
        # Through the task queue, like every mail: a batch import of observers sends from a worker.
        message = EmailMessage(subject, body, None, [user.email])
        transaction.on_commit(lambda: notifications.deliver([message]))
    return link


def observer_enrol(*, user, base_url=None):
    """Let ``user``, who has an Observer profile, file reports: the Observer group, and an invitation.

    A user who has no usable password yet (a new account never has one) is
    mailed a one-time link to choose it, as in ``observer_invite``; the link is
    returned, else None.
    """
    with transaction.atomic():
        user.groups.add(Group.objects.get(name="Observer"))
        if not user.password:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if user.has_usable_password():
            return None
        return observer_invite(user=user, base_url=base_url)


def api_token_issue(*, user, actor=None, expiry=None):
    """A new API token for ``user``; ``expiry`` a timedelta, REST_KNOX's TOKEN_TTL when None.

    Returns ``(token_row, token_text)``. Only a digest of the token is
    stored: the text is in the return value alone, to be shown once.

    A staff account's token (one that carries staff powers over the API) is
    issued only by ``actor``, a coordinator or superuser who passed their own
    second factor, for an account within their reach, for at most
    OBSERVER_STAFF_API_TOKEN_MAX_DAYS; it is marked by a ``StaffTokenGrant``
    and written to the security log. Else PermissionDenied.

    Raises ValidationError when ``user`` already holds the most tokens allowed
    (OBSERVER_API_TOKENS_PER_USER), or when ``expiry`` is longer than allowed.
    """
    from knox.models import AuthToken
    from knox.settings import knox_settings

    from ..models import StaffTokenGrant
    from ..security import audit

    staff = permissions.is_staff_account(user)
    if staff and not permissions.can_issue_staff_token(actor, user):
        raise PermissionDenied(
            _("A token for a staff account is issued only by a coordinator, in the admin, after their own code.")
        )
    longest = timedelta(days=settings.OBSERVER_STAFF_API_TOKEN_MAX_DAYS) if staff else knox_settings.TOKEN_TTL
    if expiry is None:
        expiry = longest
    if expiry <= timedelta(0) or (longest and expiry > longest + timedelta(minutes=1)):
        raise ValidationError(
            _("A token can work for at most %(days)d days.") % {"days": longest.days if longest else 0}
        )
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit and selectors.api_tokens_of(user).count() >= limit:
        raise ValidationError(
            _("You already have %(limit)d tokens: revoke one you no longer use first.") % {"limit": limit}
        )
    with transaction.atomic():
        # Expired tokens are deleted here rather than looked for on every request (api.authentication).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        row, text = AuthToken.objects.create(user=user, expiry=expiry)
        if staff:
            StaffTokenGrant.objects.create(token=row, issued_by=actor)
    audit.log(
        "api-token-issued",
        user=user,
        by=actor.get_username() if actor is not None else "manage.py",
        staff=staff,
        expiry=row.expiry.isoformat() if row.expiry else "never",
    )
    return row, text


def api_token_revoke(*, user, digest, actor=None):
    """Revoke one of ``user``'s tokens (by its digest); True if there was such a token."""
    from knox.models import AuthToken

    deleted, _count = AuthToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)
