"""What the incident page shows inside it: the kind's detail table and the incident's history;
and the audit log and the files, read-only, across incidents."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ... import permissions
from ...models import Attachment, DeniedAccess, Detention, IncidentEvent, InternetBlockage
from ...models.base import ChoiceListValidator
from ..base import HistoryInline, ModelAdmin, StackedInline
from .history import event_sentence, local_time


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
    """The incident's history, as sentences, at the election's time (the incident page runs in its zone)."""

    model = IncidentEvent
    fields = ["when", "what_happened", "comment"]
    verbose_name_plural = _("history")

    @admin.display(description=_("when"))
    def when(self, event):
        return local_time(event.created_at, timezone.get_current_timezone())

    @admin.display(description=_("what happened"))
    def what_happened(self, event):
        return event_sentence(event, zone=timezone.get_current_timezone())


@admin.register(IncidentEvent)
class IncidentEventAdmin(ModelAdmin):
    """The audit log, across incidents. Nobody can add, change or delete here."""

    list_display = ["when", "incident", "what_happened", "visible_to_observer"]
    list_filter = ["action", "visible_to_observer"]
    list_select_related = ["incident__election", "actor"]
    search_fields = ["incident__reference", "comment"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return permissions.within_scope(request.user, super().get_queryset(request), "incident__region")

    @admin.display(description=_("when"), ordering="created_at")
    def when(self, event):
        """In the time zone of the incident's election, named."""
        return local_time(event.created_at, event.incident.election.zone)

    @admin.display(description=_("what happened"))
    def what_happened(self, event):
        return event_sentence(event, zone=event.incident.election.zone)

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

    def get_queryset(self, request):
        return permissions.within_scope(request.user, super().get_queryset(request), "incident__region")

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
