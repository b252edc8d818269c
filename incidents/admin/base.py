"""What every admin page of Observer shares: links typed without a scheme taken as https,
the site's titles, and the read-only inline that shows an append-only history."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

# Links typed without a scheme are taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ModelAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS


class StackedInline(admin.StackedInline):
    formfield_overrides = HTTPS_URLS


admin.site.site_header = _("Observer administration")
admin.site.site_title = "Observer"  # the product name, the same in every language
admin.site.index_title = _("Elections, observers and incidents")


class HistoryInline(admin.TabularInline):
    """An append-only history shown inside its object: read-only, nothing can be added or removed."""

    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
