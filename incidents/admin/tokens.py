"""API tokens in the admin: coordinators issue them for observers and revoke them. Registered by the admin package."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import admin as knox_admin
from knox.models import AuthToken
from knox.settings import knox_settings


class ApiTokenAdmin(knox_admin.AuthTokenAdmin):
    """Coordinators issue tokens for observers (shown once, in the message after saving) and revoke them
    (delete). Only a digest is stored, so a token cannot be read back here."""

    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    autocomplete_fields = ["user"]
    raw_id_fields = []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if knox_settings.TOKEN_TTL:
            initial.setdefault("expiry", timezone.now() + knox_settings.TOKEN_TTL)
        return initial

    def save_model(self, request, obj, form, change):
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("API token for %(user)s: %(token)s — pass it on now by a safe means; it is not shown again.")
                % {"user": obj.user.get_username(), "token": form.token},
            )

    def has_change_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
admin.site.register(AuthToken, ApiTokenAdmin)
