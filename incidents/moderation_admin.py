"""Moderation in the Django admin: the queue, the incident page, bulk moves, the dashboard.

Nothing here decides anything: every change is a service call
(``services.incident_advance`` and friends), every "may this user" a
question to ``permissions``, every list a selector. Imported by admin.py.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import permissions, selectors, services
from .admin import HistoryInline, ModelAdmin, StackedInline
from .models import (
    Attachment,
    DeniedAccess,
    Detention,
    Election,
    Incident,
    IncidentEvent,
    InternetBlockage,
    Status,
    Verification,
)
from .models.base import ChoiceListValidator
from .services.moderation import ASSIGNED_STATUSES
from .workflow import QUEUE_STATUSES

#: the words on the button that takes an incident to each status
BUTTON_LABELS = {
    Status.IN_REVIEW: _("Claim"),
    Status.VERIFIED: _("Verify"),
    Status.PUBLISHED: _("Publish"),
    Status.NEEDS_INFO: _("Ask the observer"),
    Status.REJECTED: _("Reject"),
    Status.SUBMITTED: _("Release the claim"),
    Status.RETRACTED: _("Retract"),
}
#: what each button needs filled in first
BUTTON_NEEDS = {
    Status.VERIFIED: _("needs a verification level"),
    Status.PUBLISHED: _("needs the public summary"),
    Status.NEEDS_INFO: _("needs your question"),
    Status.REJECTED: _("needs a reason"),
    Status.RETRACTED: _("needs a public notice"),
}
#: statuses in which an incident may still be marked as a duplicate
DUPLICATE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO)
#: content types shown as a picture on the incident page
PREVIEW_TYPES = {"image/jpeg", "image/png", "image/webp"}
#: what the moderation panel keeps as typed across a page load (a draft, not saved)
DRAFT_FIELDS = ("public_summary", "verification", "comment", "duplicate_reference")
#: buttons that use none of the panel's texts: what was typed stays in the form afterwards
KEEPS_DRAFT = ("attachment_public", "reassign")


def draft_key(incident_pk):
    return f"moderation-draft-{incident_pk}"


class QueueFilter(admin.SimpleListFilter):
    """Status, opening on the queue: what still needs a moderator."""

    title = _("status")
    parameter_name = "status"
    QUEUE = "queue"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.QUEUE, _("Waiting (submitted, in review, needs information)")), *Status.choices]

    def current(self):
        return self.value() or self.QUEUE

    def queryset(self, request, queryset):
        value = self.current()
        if value == self.QUEUE:
            return queryset.filter(status__in=QUEUE_STATUSES)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset

    def choices(self, changelist):
        current = self.current()
        yield {
            "selected": current == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        holders = get_user_model().objects.filter(assigned_incidents__isnull=False).distinct().order_by("username")
        return [
            ("me", _("Me")),
            ("nobody", _("Nobody")),
            *((str(user.pk), user.get_username()) for user in holders),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "nobody":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class AttachmentsFilter(admin.SimpleListFilter):
    title = _("attachments")
    parameter_name = "attachments"

    def lookups(self, request, model_admin):
        return [("yes", _("With attachments")), ("no", _("Without attachments"))]

    def queryset(self, request, queryset):
        has = Exists(Attachment.objects.filter(incident=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has)
        if self.value() == "no":
            return queryset.filter(~has)
        return queryset


class DetailInline(StackedInline):
    """The kind's detail table inside its incident; shown only for that kind."""

    extra = 0
    max_num = 1
    can_delete = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A list of choices (who was detained, how, which services) is ticked, not typed as JSON.
        vocabulary = next((v.choices for v in db_field.validators if isinstance(v, ChoiceListValidator)), None)
        if vocabulary is not None:
            return forms.MultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=vocabulary.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DetentionInline(DetailInline):
    model = Detention


class DeniedAccessInline(DetailInline):
    model = DeniedAccess


class InternetBlockageInline(DetailInline):
    model = InternetBlockage


class IncidentEventInline(HistoryInline):
    """The incident's history."""

    model = IncidentEvent
    fields = ["created_at", "action", "actor", "from_status", "to_status", "comment", "what_changed"]
    verbose_name_plural = _("history")

    @admin.display(description=_("changes"))
    def what_changed(self, event):
        return "; ".join(f"{name}: {old} → {new}" for name, (old, new) in event.changes.items())


class IncidentAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(label=_("Version seen"), widget=forms.HiddenInput, required=False)

    class Meta:
        model = Incident
        fields = []  # the admin adds the fields of its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "seen_version" in self.fields and self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(
                _("Incident %(reference)s was changed by someone else while you edited it; reload it and try again.")
                % {"reference": self.instance.reference}
            )
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


class ModerationForm(forms.Form):
    """The moderation panel above an incident's page: what the moves need."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    public_summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown to the public once published. Name nobody: no reporter, no detained person, no numbers."),
    )
    verification = forms.ChoiceField(
        label=_("Verification"), required=False, choices=[("", _("Choose a level")), *Verification.choices]
    )
    comment = forms.CharField(
        label=_("Question, reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Recorded with the step. A question or a reason for rejecting is sent to the observer; "
            "a reason for retracting is shown to the public."
        ),
    )
    assignee = forms.ModelChoiceField(label=_("Reassign to"), required=False, queryset=selectors.moderators())
    duplicate_reference = forms.CharField(label=_("Duplicate of (reference)"), required=False, max_length=16)


@admin.register(Incident)
class IncidentAdmin(ModelAdmin):
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
        if incident.status not in (Status.PUBLISHED, Status.RETRACTED):
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.moderation_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def moderation_context(self, request, incident):
        user = request.user
        draft = request.session.pop(draft_key(incident.pk), {})
        form = ModerationForm(
            initial={
                "version": incident.version,
                "public_summary": draft.get("public_summary", incident.public_summary),
                "verification": draft.get("verification", ""),
                "comment": draft.get("comment", ""),
                "duplicate_reference": draft.get("duplicate_reference", ""),
                "assignee": incident.assignee_id,
            }
        )
        choices = permissions.available_moves(user, incident)
        buttons = [
            {
                "to_status": choice.to_status.value,
                "label": BUTTON_LABELS[choice.to_status],
                "needs": BUTTON_NEEDS.get(choice.to_status, ""),
                "steps": [move.action.label for move in choice.moves] if len(choice.moves) > 1 else [],
                "is_default": choice.to_status == Status.PUBLISHED,
            }
            for choice in sorted(choices, key=lambda choice: list(BUTTON_LABELS).index(choice.to_status))
        ]
        can_mark_duplicate = incident.status in DUPLICATE_STATUSES and any(
            choice.to_status == Status.REJECTED for choice in choices
        )
        attachments = list(incident.attachments.all())
        for attachment in attachments:
            attachment.previewable = attachment.content_type in PREVIEW_TYPES
        return {
            "incident": incident,
            "moderation_form": form,
            "moderation_url": reverse("admin:incidents_incident_moderate", args=[incident.pk]),
            "buttons": buttons,
            "claimed_by_other": incident.assignee_id and incident.assignee_id != user.pk,
            "can_reassign": permissions.can_reassign(user) and incident.status in ASSIGNED_STATUSES,
            "can_mark_duplicate": can_mark_duplicate,
            "likely_duplicates": selectors.likely_duplicates(incident) if can_mark_duplicate else [],
            "corroborating": list(incident.duplicates.order_by("created_at", "pk")),
            "attachments": attachments,
            "can_switch_attachments": permissions.is_moderator(user),
            "next_waiting": selectors.next_waiting(exclude=incident),
        }

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="{}_{}_dashboard".format(*info)),
            path(
                "<path:object_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _changed(request, incident, moved):
        if moved.status != incident.status:
            return _("%(reference)s is now “%(status)s”.") % {
                "reference": moved.reference,
                "status": moved.get_status_display(),
            }
        return _("%(reference)s was saved.") % {"reference": moved.reference}

    def moderate_view(self, request, object_id):
        """The moderation panel's buttons post here; the answer is always the incident page."""
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        return require_POST(self._moderate)(request, object_id)

    def _moderate(self, request, object_id):
        incident = get_object_or_404(Incident, pk=unquote(object_id))
        page = reverse("admin:incidents_incident_change", args=[incident.pk])
        form = ModerationForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("The form was not complete; reload the page and try again."), messages.ERROR)
            return HttpResponseRedirect(page)
        data = form.cleaned_data
        draft = {key: data[key] for key in DRAFT_FIELDS}
        try:
            message = self._apply(request, incident, data)
        except (services.WorkflowError, ValidationError) as error:
            request.session[draft_key(incident.pk)] = draft
            text = services.error_message(error)
            if isinstance(error, services.IncidentChanged):
                text = _("%(error)s The page now shows it as it is; what you typed is kept.") % {"error": text}
            self.message_user(request, text, messages.ERROR)
        else:
            if any(name in request.POST for name in KEEPS_DRAFT):
                # A summary half written when the photo is made public is not lost.
                request.session[draft_key(incident.pk)] = draft
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(page)

    def _apply(self, request, incident, data):
        """Make the change the pressed button asks for, through its service."""
        post, actor, version = request.POST, request.user, data["version"]
        summary = data["public_summary"].strip()
        if "to_status" in post:
            to_status = post["to_status"]
            with transaction.atomic():
                moved = services.incident_advance(
                    incident=incident,
                    to_status=to_status,
                    actor=actor,
                    expected_version=version,
                    comment=data["comment"],
                    verification=data["verification"] or None,
                    public_summary=summary,
                )
                if to_status != Status.PUBLISHED and summary != moved.public_summary:
                    # Keep the summary typed on the way (a draft until publishing).
                    moved = services.incident_edit(incident=moved, actor=actor, changes={"public_summary": summary})
            return self._changed(request, incident, moved)
        if "save_summary" in post:
            moved = services.incident_edit(
                incident=incident, actor=actor, changes={"public_summary": summary}, expected_version=version
            )
            return _("The public summary of %(reference)s was saved.") % {"reference": moved.reference}
        if "reassign" in post:
            if data["assignee"] is None:
                raise ValidationError(_("Choose the moderator to give it to."))
            moved = services.incident_reassign(
                incident=incident, assignee=data["assignee"], actor=actor, expected_version=version
            )
            return _("%(reference)s is now assigned to %(user)s.") % {
                "reference": moved.reference,
                "user": data["assignee"].get_username(),
            }
        if "duplicate_of" in post or "mark_duplicate" in post:
            primary = self._primary(post.get("duplicate_of"), data["duplicate_reference"])
            moved = services.incident_mark_duplicate(
                incident=incident, primary=primary, actor=actor, comment=data["comment"], expected_version=version
            )
            return _("%(reference)s was marked as a duplicate of %(primary)s.") % {
                "reference": moved.reference,
                "primary": primary.reference,
            }
        if "attachment_public" in post:
            pk, _sep, value = post["attachment_public"].partition(":")
            attachment = get_object_or_404(Attachment, pk=pk if pk.isdigit() else 0, incident=incident)
            attachment = services.attachment_set_public(
                attachment=attachment, is_public=value == "1", actor=actor, expected_version=version
            )
            if attachment.is_public:
                return _("The file is public once the incident is published.")
            return _("The file is private.")
        raise ValidationError(_("Nothing was asked for."))

    @staticmethod
    def _primary(pk, reference):
        reference = reference.strip()
        primary = None
        if pk and pk.isdigit():
            primary = Incident.objects.filter(pk=pk).first()
        elif reference:
            primary = Incident.objects.filter(reference__iexact=reference).first()
        if primary is None:
            raise ValidationError(_("There is no report with this reference."))
        return primary

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

    # The dashboard

    def dashboard_view(self, request):
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        elections = list(Election.objects.order_by("-is_current", "-election_day"))
        chosen = request.GET.get("election", "")
        election = next((e for e in elections if str(e.pk) == chosen), elections[0] if elections else None)
        context = {
            **self.admin_site.each_context(request),
            **selectors.moderation_dashboard(election),
            "opts": self.opts,
            "title": _("Moderation dashboard"),
            "elections": elections,
            "media": self.media,
            "queue_url": reverse("admin:incidents_incident_changelist"),
        }
        return TemplateResponse(request, "admin/incidents/incident/dashboard.html", context)


class BulkVerifyForm(forms.Form):
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    comment = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BulkRejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with each report and sent to its observer."),
    )


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
    """Files, read-only: a file is made public from its incident's page, where the switch is recorded."""

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
        "is_public",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
