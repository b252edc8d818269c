"""Reference data in the admin: elections, regions, stations, parties, official results,
organizations and observers, each with its import and export.

Every changelist names its related columns in ``list_select_related`` so that
a page of rows costs a fixed number of queries.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..imports.admin import ImportExportMixin
from ..models import (
    Election,
    Observer,
    OfficialResult,
    Organization,
    Party,
    PartyResult,
    PollingStation,
    Region,
    ResultChange,
)
from ..results.admin import StationResultsImportMixin
from .base import HistoryInline, ModelAdmin


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


class ResultChangeInline(HistoryInline):
    """What imports changed in this result."""

    model = ResultChange
    fields = ["created_at", "actor", "source", "changes"]
    verbose_name_plural = _("history of changes")


@admin.register(OfficialResult)
class OfficialResultAdmin(StationResultsImportMixin, ModelAdmin):
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


class ObserverForm(forms.ModelForm):
    new_sms_pin = forms.CharField(
        label=_("new SMS PIN"),
        required=False,
        max_length=8,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("4 to 8 digits that start each SMS report; stored hashed. Leave empty to keep the current one."),
    )
    remove_sms_pin = forms.BooleanField(label=_("remove the SMS PIN"), required=False)

    class Meta:
        model = Observer
        fields = [
            "user",
            "organization",
            "kind",
            "accreditation_number",
            "phone",
            "language",
            "assigned_stations",
            "is_demo",
        ]

    def clean_new_sms_pin(self):
        pin = self.cleaned_data["new_sms_pin"].strip()
        if pin and not (pin.isdigit() and 4 <= len(pin) <= 8):
            raise forms.ValidationError(_("A PIN is 4 to 8 digits."))
        return pin


@admin.register(Observer)
class ObserverAdmin(ImportExportMixin, ModelAdmin):
    form = ObserverForm
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
        pin, remove = form.cleaned_data.get("new_sms_pin"), form.cleaned_data.get("remove_sms_pin")
        if pin or remove:
            services.observer_set_sms_pin(observer=obj, pin="" if remove else pin)
        if permissions.is_staff_account(obj.user):
            self.message_user(
                request,
                _(
                    "%(user)s is a staff account: as an observer it files reports with its password alone. "
                    "Its staff powers still need its second factor, and its API tokens come only from a "
                    "coordinator in the admin. Prefer a separate observer account."
                )
                % {"user": obj.user.get_username()},
                messages.WARNING,
            )
