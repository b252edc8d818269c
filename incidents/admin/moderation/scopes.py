"""Coordinators give moderators their regions (``ModeratorScope``); ``permissions.moderation_scope`` reads them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ... import selectors
from ...models import ModeratorScope
from ..base import ModelAdmin


@admin.register(ModeratorScope)
class ModeratorScopeAdmin(ModelAdmin):
    list_display = ["user", "region_list"]
    search_fields = ["user__username", "regions__name_en", "regions__code"]
    filter_horizontal = ["regions"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("regions")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = selectors.moderators()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("regions"))
    def region_list(self, scope):
        return ", ".join(region.code for region in scope.regions.all())
