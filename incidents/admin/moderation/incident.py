"""The incident in the admin: the moderation queue (its columns, filters and bulk moves) and the
incident's page (its fields, details and history, with the moderation panel of ``panel``).

Incident status never changes here by editing a field: it changes only through the workflow
service; edits go through ``services.incident_edit`` so that each one is recorded.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ... import permissions, services
from ...models import Incident, Status
from ..base import ModelAdmin
from .filters import AssigneeFilter, AttachmentsFilter, QueueFilter
from .forms import BulkRejectForm, BulkVerifyForm, IncidentAdminForm
from .history import local_time
from .inlines import DeniedAccessInline, DetentionInline, IncidentEventInline, InternetBlockageInline
from .panel import ModerationPages


@admin.register(Incident)
class IncidentAdmin(ModerationPages, ModelAdmin):
    form = IncidentAdminForm
    change_form_template = "admin/incidents/incident/change_form.html"
    change_list_template = "admin/incidents/incident/change_list.html"
    # Fits 1280 px beside the filters: status, kind, region, age and who holds it come first.
    list_display = [
        "reference",
        "status",
        "kind",
        "region",
        "age",
        "claim",
        "occurred",
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
    list_select_related = ["election", "region", "polling_station", "assignee"]
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
                    "needs_second_approval",
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

    def get_queryset(self, request):
        """Only the reports of the moderator's regions (``permissions.moderation_scope``): the queue, its
        filters' choices, the bulk moves and every page of one report read from here."""
        return permissions.within_scope(request.user, super().get_queryset(request))

    @admin.display(description=_("station"), ordering="polling_station__number")
    def station(self, incident):
        return incident.polling_station.number if incident.polling_station else ""

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, incident):
        return timesince(incident.created_at)

    @admin.display(description=_("when (election's time)"), ordering="occurred_at")
    def occurred(self, incident):
        return local_time(incident.occurred_at, incident.election.zone)

    @admin.display(description=_("claimed by"), ordering="assignee__username")
    def claim(self, incident):
        """Who holds the claim and since when, in the election's time."""
        if incident.assignee is None:
            return ""
        if incident.claimed_at is None:
            return incident.assignee.get_username()
        return _("%(user)s since %(time)s") % {
            "user": incident.assignee.get_username(),
            "time": local_time(incident.claimed_at, incident.election.zone, short=True),
        }

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

    #: the bulk action last used, offered first next time (the menu keeps its value after an action)
    LAST_ACTION_KEY = "moderation-last-action"

    def get_action_choices(self, request, default_choices=BLANK_CHOICE_DASH):
        choices = super().get_action_choices(request, default_choices)
        last = request.session.get(self.LAST_ACTION_KEY)
        chosen = [choice for choice in choices if choice[0] == last]
        return [*chosen, *(choice for choice in choices if choice[0] != last)] if chosen else choices

    def _bulk(self, request, queryset, to_status, **kwargs):
        request.session[self.LAST_ACTION_KEY] = request.POST.get("action", "")
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """In the election's time zone (shown and typed); a report outside the moderator's regions is a 404."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        incident = self.get_object(request, unquote(object_id))
        if incident is None:
            raise Http404(_("There is no such report."))
        with timezone.override(incident.election.zone):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # now, in the zone: a TemplateResponse would render after it
            return response

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
        # Nothing is written here: save_related makes one service call with the incident's changes and
        # its details' together, so that one save is one ``edited`` event and one new version.
        request.incident_changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.MODERATOR_EDITABLE_FIELDS
        }

    def save_related(self, request, form, formsets, change):
        detail_changes, changed_forms = {}, []
        for formset in formsets:
            if formset.model not in self.detail_models:
                continue
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for detail_form in formset.forms:
                if detail_form.instance.pk and detail_form.has_changed():
                    detail_changes.update(
                        {field: detail_form.cleaned_data[field] for field in detail_form.changed_data}
                    )
                    changed_forms.append((formset, detail_form))
        try:
            services.incident_edit(
                incident=form.instance,
                actor=request.user,
                changes=getattr(request, "incident_changes", {}),
                detail_changes=detail_changes,
                expected_version=form.cleaned_data.get("seen_version"),
            )
        except (services.WorkflowError, ValidationError) as error:
            request.incident_save_failed = True
            messages.error(request, services.error_message(error))
        else:
            for formset, detail_form in changed_forms:
                formset.changed_objects.append((detail_form.instance, detail_form.changed_data))
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if formset.model not in self.detail_models:
            return super().save_formset(request, form, formset, change)
        # The service saved the details (save_related), not formset.save(): the admin's log reads
        # what changed from changed_objects, filled there.
        return None

    def response_change(self, request, obj):
        if getattr(request, "incident_save_failed", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
