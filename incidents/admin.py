"""Data entry and moderation in the Django admin.

Every changelist names its related columns in ``list_select_related`` so that
a page of rows costs a fixed number of queries. Incident status never changes
here by editing a field: it changes only through the workflow service.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import services
from .imports.admin import ImportExportMixin
from .models import (
    Attachment,
    DeniedAccess,
    Detention,
    Election,
    Incident,
    IncidentEvent,
    InternetBlockage,
    Observer,
    OfficialResult,
    Organization,
    Party,
    PartyResult,
    PollingStation,
    Region,
    ResultChange,
)

# Links typed without a scheme are taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ModelAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS


class StackedInline(admin.StackedInline):
    formfield_overrides = HTTPS_URLS


admin.site.site_header = _("Observer administration")
admin.site.site_title = _("Observer")
admin.site.index_title = _("Elections, observers and incidents")


@admin.register(Election)
class ElectionAdmin(ModelAdmin):
    list_display = ["name_en", "kind", "country", "election_day", "reference_prefix", "is_current"]
    list_filter = ["kind", "country", "is_current"]
    search_fields = ["name_en", "name_ru", "name_kk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    date_hierarchy = "election_day"


@admin.register(Region)
class RegionAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "regions"
    list_display = ["code", "name_en", "name_ru", "name_kk", "level", "parent"]
    list_filter = ["level", "country"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_en", "name_ru", "name_kk"]
    autocomplete_fields = ["parent"]


@admin.register(PollingStation)
class PollingStationAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "stations"
    list_display = ["number", "name", "region", "election", "registered_voters", "is_demo"]
    list_filter = ["election", "region", "is_demo"]
    list_select_related = ["region", "election"]
    search_fields = ["number", "name", "address"]
    autocomplete_fields = ["region"]


@admin.register(Party)
class PartyAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "parties"
    list_display = ["short_name", "name_en", "ballot_number", "colour", "election"]
    list_filter = ["election"]
    list_select_related = ["election"]
    search_fields = ["short_name", "name_en", "name_ru", "name_kk"]


class PartyResultInline(admin.TabularInline):
    model = PartyResult
    extra = 0
    autocomplete_fields = ["party"]


class ResultChangeInline(admin.TabularInline):
    """What imports changed in this result: read-only, and nothing can be removed from it."""

    model = ResultChange
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "source", "changes"]
    readonly_fields = fields
    verbose_name_plural = _("history of changes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfficialResult)
class OfficialResultAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "results"
    list_display = ["__str__", "stage", "registered_voters", "ballots_cast", "turnout_display", "updated_at"]
    list_filter = ["election", "stage", ("region", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["election", "region", "polling_station"]
    search_fields = ["region__code", "region__name_en", "polling_station__number", "source"]
    autocomplete_fields = ["region", "polling_station"]
    inlines = [PartyResultInline, ResultChangeInline]

    @admin.display(description=_("turnout %"))
    def turnout_display(self, result):
        return result.turnout


@admin.register(PartyResult)
class PartyResultAdmin(ModelAdmin):
    list_display = ["party", "result", "votes", "seats"]
    list_filter = ["result__election"]
    list_select_related = ["party", "result__election", "result__region", "result__polling_station"]
    search_fields = ["party__short_name"]
    autocomplete_fields = ["party", "result"]


@admin.register(Organization)
class OrganizationAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "organizations"
    list_display = ["name", "kind", "country", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]


@admin.register(Observer)
class ObserverAdmin(ImportExportMixin, ModelAdmin):
    import_kind = "observers"
    list_display = ["user", "organization", "kind", "accreditation_number", "is_demo"]
    list_filter = ["kind", "organization", "is_demo"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "accreditation_number", "phone"]
    autocomplete_fields = ["user", "organization", "assigned_stations"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new observer profile lets its user file: the Observer group, and an invitation if needed.
            services.observer_enrol(user=obj.user)


class DetailInline(StackedInline):
    """The kind's detail table inside its incident; shown only for that kind."""

    extra = 0
    max_num = 1
    can_delete = False


class DetentionInline(DetailInline):
    model = Detention


class DeniedAccessInline(DetailInline):
    model = DeniedAccess


class InternetBlockageInline(DetailInline):
    model = InternetBlockage


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["kind", "content_type", "size", "sha256", "is_public", "created_at"]
    readonly_fields = ["kind", "content_type", "size", "sha256", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class IncidentEventInline(admin.TabularInline):
    """The incident's history: read-only, and nothing can be removed from it."""

    model = IncidentEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "from_status", "to_status", "comment", "changes", "visible_to_observer"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentAdminForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = []  # the admin adds the fields of its fieldsets

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            try:
                services.validate_place_and_time(
                    election=self.instance.election,
                    region=cleaned.get("region"),
                    polling_station=cleaned.get("polling_station"),
                    occurred_at=cleaned.get("occurred_at"),
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, field_errors)
        return cleaned


@admin.register(Incident)
class IncidentAdmin(ModelAdmin):
    form = IncidentAdminForm
    list_display = [
        "reference",
        "kind",
        "region",
        "polling_station",
        "occurred_at",
        "status",
        "verification",
        "assignee",
    ]
    list_filter = ["status", "kind", "verification", "election", ("region", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["region", "polling_station", "assignee"]
    search_fields = ["reference", "description", "public_summary"]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["region", "polling_station"]
    readonly_fields = [
        "reference",
        "election",
        "kind",
        "status",
        "verification",
        "reporter",
        "assignee",
        "claimed_at",
        "duplicate_of",
        "created_at",
        "published_at",
        "retraction_notice",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "election", "kind", "status", "verification", "assignee", "claimed_at"]}),
        (
            _("Place and time"),
            {
                "fields": [
                    "region",
                    "polling_station",
                    "location_text",
                    ("latitude", "longitude"),
                    "is_sensitive",
                    ("occurred_at", "occurred_precision"),
                ]
            },
        ),
        (_("What happened"), {"fields": ["description", "public_summary"]}),
        (
            _("Source"),
            {
                "fields": [
                    "source",
                    "source_url",
                    "reporter",
                    "duplicate_of",
                    "created_at",
                    "published_at",
                    "retraction_notice",
                ]
            },
        ),
    ]
    detail_inlines = {
        inline.model.kind: inline for inline in (DetentionInline, DeniedAccessInline, InternetBlockageInline)
    }

    @property
    def detail_models(self):
        return {inline.model for inline in self.detail_inlines.values()}

    def get_inlines(self, request, obj):
        inlines = [AttachmentInline, IncidentEventInline]
        if obj is not None and obj.kind in self.detail_inlines:
            inlines.insert(0, self.detail_inlines[obj.kind])
        return inlines

    def has_add_permission(self, request):
        # Reports come in through the observer pages, the API or imports, so
        # that each one starts with its submission event.
        return False

    def has_delete_permission(self, request, obj=None):
        # Incidents are rejected or retracted, never deleted: their history must stay.
        return False

    def save_model(self, request, obj, form, change):
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.MODERATOR_EDITABLE_FIELDS
        }
        try:
            services.incident_edit(incident=obj, actor=request.user, changes=changes)
        except (services.WorkflowError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))

    def save_formset(self, request, form, formset, change):
        if formset.model not in self.detail_models:
            return super().save_formset(request, form, formset, change)
        # Detail changes go through the service too, so that they are recorded.
        for detail_form in formset.forms:
            if detail_form.instance.pk and detail_form.has_changed():
                detail_changes = {field: detail_form.cleaned_data[field] for field in detail_form.changed_data}
                try:
                    services.incident_edit(
                        incident=form.instance, actor=request.user, changes={}, detail_changes=detail_changes
                    )
                except (services.WorkflowError, ValidationError) as error:
                    messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))


@admin.register(IncidentEvent)
class IncidentEventAdmin(ModelAdmin):
    """The audit log, across incidents. Nobody can add, change or delete here."""

    list_display = ["created_at", "incident", "action", "actor", "from_status", "to_status", "visible_to_observer"]
    list_filter = ["action", "visible_to_observer"]
    list_select_related = ["incident", "actor"]
    search_fields = ["incident__reference", "comment"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(ModelAdmin):
    list_display = ["incident", "kind", "content_type", "size", "is_public", "created_at"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "sha256"]
    readonly_fields = [
        "incident",
        "file",
        "kind",
        "content_type",
        "size",
        "sha256",
        "original_name",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


# User accounts (invitations, and coordinators kept within their own powers) live beside this module.
from . import admin_accounts  # noqa: E402, F401
