"""The incident in the admin: the moderation queue (its columns, filters and bulk moves) and the
incident's page (its fields, details and history, with the moderation panel of ``panel``).

Incident status never changes here by editing a field: it changes only through the workflow
service; edits go through ``services.incident_edit`` so that each one is recorded.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ... import permissions, services
from ...models import Incident, Status
from ..base import ModelAdmin
from .filters import AssigneeFilter, AttachmentsFilter, QueueFilter
from .forms import BulkRejectForm, BulkVerifyForm, IncidentAdminForm
from .inlines import DeniedAccessInline, DetentionInline, IncidentEventInline, InternetBlockageInline
from .panel import ModerationPages


@admin.register(Incident)
class IncidentAdmin(ModerationPages, ModelAdmin):
    form = IncidentAdminForm
    change_form_template = "admin/incidents/incident/change_form.html"
    change_list_template = "admin/incidents/incident/change_list.html"
    list_display = [
        "reference",
        "kind",
        "region",
        "station",
        "occurred_at",
        "status",
        "assignee",
        "age",
    ]
    list_filter = [
        QueueFilter,
        "kind",
        ("region", admin.RelatedOnlyFieldListFilter),
        "election",
        AssigneeFilter,
        "verification",
        AttachmentsFilter,
    ]
    list_select_related = ["region", "polling_station", "assignee"]
    list_per_page = 50
    ordering = ["created_at", "id"]
    date_hierarchy = "occurred_at"
    search_fields = ["reference", "description", "location_text", "public_summary"]
    search_help_text = _("A reference, or words from the observer's text or the summary.")
    autocomplete_fields = ["region", "polling_station"]
    actions = ["claim_selected", "verify_selected", "publish_selected", "reject_selected"]
    readonly_fields = [
        "reference",
        "election",
        "kind",
        "reporter",
        "duplicate_of",
        "created_at",
        "published_at",
        "retraction_notice",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "election", "kind", "seen_version"]}),
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
        (
            _("Public texts in other languages"),
            {
                "fields": ["public_summary_ru", "public_summary_kk", "retraction_notice_ru", "retraction_notice_kk"],
                "description": _(
                    "The public summary is written in English in the moderation panel; a reader of the Russian or "
                    "Kazakh pages sees these instead, or the English with a note when they are empty."
                ),
            },
        ),
    ]
    detail_inlines = {
        inline.model.kind: inline for inline in (DetentionInline, DeniedAccessInline, InternetBlockageInline)
    }

    class Media:
        css = {"all": ["css/moderation.css"]}

    # The queue

    @admin.display(description=_("station"), ordering="polling_station__number")
    def station(self, incident):
        return incident.polling_station.number if incident.polling_station else ""

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, incident):
        return timesince(incident.created_at)

    def view_on_site(self, incident):
        """The public page, once there is one to see."""
        if not incident.has_public_page:
            return None
        try:
            return incident.get_absolute_url()
        except NoReverseMatch:  # the public pages are not installed
            return None

    def has_moderate_permission(self, request):
        return permissions.is_moderator(request.user)

    def _bulk(self, request, queryset, to_status, **kwargs):
        incidents = queryset.select_related(None).order_by("created_at", "pk")
        outcome = services.incidents_bulk_advance(
            incidents=incidents, to_status=to_status, actor=request.user, **kwargs
        )
        if outcome.moved:
            count = len(outcome.moved)
            self.message_user(
                request,
                ngettext("%(count)d report moved to “%(status)s”.", "%(count)d reports moved to “%(status)s”.", count)
                % {"count": count, "status": Status(to_status).label},
                messages.SUCCESS,
            )
        for reason, references in outcome.refusals_by_reason().items():
            count = len(references)
            self.message_user(
                request,
                ngettext(
                    "%(count)d report did not move: %(reason)s (%(references)s)",
                    "%(count)d reports did not move: %(reason)s (%(references)s)",
                    count,
                )
                % {"count": count, "reason": reason, "references": ", ".join(references)},
                messages.WARNING,
            )

    def _bulk_after_form(self, request, queryset, form_class, to_status, action, title):
        """Ask what the move needs on a page of its own, then make it."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._bulk(request, queryset, to_status, **form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "action": action,
            "incidents": queryset.select_related("region").order_by("created_at", "pk"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/incidents/incident/bulk_move.html", context)

    @admin.action(description=_("Claim the selected reports"), permissions=["moderate"])
    def claim_selected(self, request, queryset):
        self._bulk(request, queryset, Status.IN_REVIEW)

    @admin.action(description=_("Verify the selected reports…"), permissions=["moderate"])
    def verify_selected(self, request, queryset):
        return self._bulk_after_form(
            request, queryset, BulkVerifyForm, Status.VERIFIED, "verify_selected", _("Verify the selected reports")
        )

    @admin.action(description=_("Publish the selected reports with their summaries"), permissions=["moderate"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, Status.PUBLISHED)

    @admin.action(description=_("Reject the selected reports…"), permissions=["moderate"])
    def reject_selected(self, request, queryset):
        return self._bulk_after_form(
            request, queryset, BulkRejectForm, Status.REJECTED, "reject_selected", _("Reject the selected reports")
        )

    # The incident page

    def get_inlines(self, request, obj):
        inlines = [IncidentEventInline]
        if obj is not None and obj.kind in self.detail_inlines:
            inlines.insert(0, self.detail_inlines[obj.kind])
        return inlines

    @property
    def detail_models(self):
        return {inline.model for inline in self.detail_inlines.values()}

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
            services.incident_edit(
                incident=obj,
                actor=request.user,
                changes=changes,
                expected_version=form.cleaned_data.get("seen_version"),
            )
        except (services.WorkflowError, ValidationError) as error:
            request.incident_save_failed = True
            messages.error(request, services.error_message(error))

    def save_formset(self, request, form, formset, change):
        if formset.model not in self.detail_models:
            return super().save_formset(request, form, formset, change)
        # The service saves the details, not formset.save(): say what changed for the admin's log.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if getattr(request, "incident_save_failed", False):
            return None
        # Detail changes go through the service too, so that they are recorded.
        for detail_form in formset.forms:
            if detail_form.instance.pk and detail_form.has_changed():
                detail_changes = {field: detail_form.cleaned_data[field] for field in detail_form.changed_data}
                try:
                    services.incident_edit(
                        incident=form.instance, actor=request.user, changes={}, detail_changes=detail_changes
                    )
                except (services.WorkflowError, ValidationError) as error:
                    request.incident_save_failed = True
                    messages.error(request, services.error_message(error))
                else:
                    formset.changed_objects.append((detail_form.instance, detail_form.changed_data))
        return None

    def response_change(self, request, obj):
        if getattr(request, "incident_save_failed", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
