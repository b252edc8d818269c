"""API tokens in the admin: coordinators issue them and revoke them. Registered by the admin package.

Every token is issued by ``services.api_token_issue`` (which alone marks a staff account's token as
staff-issued and writes the security log); the user choices are the accounts within the coordinator's
reach, and the expiry is bounded.
"""

import datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import admin as knox_admin
from knox.models import AuthToken
from knox.settings import knox_settings

from .. import permissions, services
from .accounts import users_within


class ApiTokenForm(knox_admin.AuthTokenCreateForm):
    """Who and until when; the token itself is made by the service on save."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["expiry"].required = True

    def clean(self):
        cleaned = super().clean()
        user, expiry = cleaned.get("user"), cleaned.get("expiry")
        if user is None or expiry is None:
            return cleaned
        staff = permissions.is_staff_account(user)
        if staff and not permissions.can_issue_staff_token(self.actor, user):
            raise ValidationError(_("You may not issue a token for this account."))
        longest = (
            datetime.timedelta(days=settings.OBSERVER_STAFF_API_TOKEN_MAX_DAYS) if staff else knox_settings.TOKEN_TTL
        )
        now = timezone.now()
        if expiry <= now:
            self.add_error("expiry", _("The expiry must be in the future."))
        elif longest and expiry > now + longest:
            self.add_error("expiry", _("A token can work for at most %(days)d days.") % {"days": longest.days})
        return cleaned


class ApiTokenAdmin(knox_admin.AuthTokenAdmin):
    """Coordinators issue tokens (shown once, in the message after saving) and revoke them
    (delete). Only a digest is stored, so a token cannot be read back here."""

    add_form = ApiTokenForm
    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    autocomplete_fields = ["user"]
    raw_id_fields = []

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__in=users_within(request.user))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:

            class BoundForm(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, actor=request.user, **kw)

            return BoundForm
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_within(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if knox_settings.TOKEN_TTL:
            initial.setdefault("expiry", timezone.now() + knox_settings.TOKEN_TTL)
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        row, token = services.api_token_issue(user=obj.user, actor=request.user, expiry=obj.expiry - timezone.now())
        # The admin logs the addition of ``obj``: make it the row the service wrote.
        obj.digest, obj.token_key, obj.created, obj.expiry = row.digest, row.token_key, row.created, row.expiry
        obj._state.adding, obj._state.db = False, row._state.db
        self.message_user(
            request,
            _("API token for %(user)s: %(token)s — pass it on now by a safe means; it is not shown again.")
            % {"user": obj.user.get_username(), "token": token},
        )

    def has_change_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
admin.site.register(AuthToken, ApiTokenAdmin)
