"""The SMS inbox: every message received, filterable; a moderator turns one that made no report into a
report (once: a second click makes nothing new) or dismisses it with a reason; both are recorded on the
message (who, when). The rehearsal page sends a message through the real webhook."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..models import IncidentKind, PollingStation, Region, SmsMessage, SmsStatus
from ..sms import rehearsal
from ..sms.gateways import GATEWAYS
from .base import ModelAdmin


class InboxForm(forms.ModelForm):
    """What a moderator decides about a message: make a report of a kind, at a place, or dismiss it."""

    decision = forms.ChoiceField(
        label=_("decision"),
        required=False,
        choices=[("", "—"), ("report", _("Make a report")), ("dismiss", _("Dismiss"))],
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", "—"), *IncidentKind.choices])
    polling_station = forms.ModelChoiceField(
        label=_("polling station"), required=False, queryset=PollingStation.objects.filter(election__is_current=True)
    )
    region = forms.ModelChoiceField(label=_("region"), required=False, queryset=Region.objects.all())
    people_detained = forms.IntegerField(label=_("people detained"), required=False, min_value=1)
    reason = forms.CharField(label=_("reason for dismissing"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = SmsMessage
        fields = []

    def clean(self):
        data = super().clean()
        if data.get("decision") == "report" and not data.get("kind"):
            self.add_error("kind", _("Choose the kind of the report."))
        if data.get("decision") == "dismiss" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason: it is recorded with the message."))
        return data


@admin.register(SmsMessage)
class SmsMessageAdmin(ModelAdmin):
    form = InboxForm
    list_display = ["received_at", "status", "problem", "sender", "observer", "short_text", "report", "handled_by"]
    list_filter = ["status", "problem", "gateway", ("received_at", admin.DateFieldListFilter)]
    list_select_related = ["observer__user", "incident", "handled_by"]
    search_fields = ["sender", "text", "gateway_message_id", "incident__reference"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "gateway",
        "gateway_message_id",
        "sender",
        "observer",
        "text",
        "received_at",
        "status",
        "problem",
        "report",
        "reply",
        "dismiss_reason",
        "handled_by",
        "handled_at",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (
            _("What to do with it"),
            {"fields": ["decision", "kind", "polling_station", "region", "people_detained", "reason"]},
        ),
    ]

    @admin.display(description=_("text"))
    def short_text(self, message):
        return message.text if len(message.text) <= 60 else message.text[:59] + "…"

    @admin.display(description=_("report"), ordering="incident__reference")
    def report(self, message):
        if message.incident_id is None:
            return "—"
        url = reverse("admin:incidents_incident_change", args=[message.incident_id])
        return format_html('<a href="{}">{}</a>', url, message.incident.reference)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.status != SmsStatus.INBOX:
            return self.fieldsets[:1]  # decided: nothing left to do
        return self.fieldsets

    def has_module_permission(self, request):
        return permissions.is_moderator(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)

    def has_add_permission(self, request):
        return False  # messages come from gateways (or the rehearsal page), never typed in

    def has_delete_permission(self, request, obj=None):
        return False  # never dropped: a message that is no report is dismissed with a reason

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        try:
            if decision == "report":
                data = form.cleaned_data
                details = {"people_detained": data["people_detained"]} if data.get("people_detained") else None
                if details and data["kind"] != IncidentKind.DETENTION:
                    details = None
                made = services.sms_make_report(
                    message=obj,
                    actor=request.user,
                    kind=data["kind"],
                    polling_station=data.get("polling_station"),
                    region=data.get("region"),
                    details=details,
                )
                self.message_user(request, _("Report %(reference)s made.") % {"reference": made.incident.reference})
            elif decision == "dismiss":
                services.sms_dismiss(message=obj, actor=request.user, reason=form.cleaned_data["reason"])
                self.message_user(request, _("Message dismissed."))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except services.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)

    def save_related(self, request, form, formsets, change):
        pass  # the message has no related rows an admin form could change

    def get_urls(self):
        rehearse = self.admin_site.admin_view(self.rehearse_view)
        return [path("rehearse/", rehearse, name="incidents_smsmessage_rehearse"), *super().get_urls()]

    def rehearse_view(self, request):
        """Send a message as a given phone through the real webhook path (signature included)."""
        if not permissions.is_moderator(request.user):
            return redirect("admin:index")
        form = RehearsalForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            try:
                result = rehearsal.send(**form.cleaned_data)
            except rehearsal.NotConfigured:
                form.add_error("gateway", _("This gateway has no secret set: it refuses every message."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Send a test SMS through the webhook"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/incidents/smsmessage/rehearse.html", context)


class RehearsalForm(forms.Form):
    phone = forms.CharField(label=_("from phone"), max_length=32, initial="+77010000001")
    text = forms.CharField(label=_("text"), max_length=1600, initial="D 75-001 12 P A")
    gateway = forms.ChoiceField(label=_("gateway"), choices=[(name, name) for name in GATEWAYS])
    message_id = forms.CharField(
        label=_("gateway message id"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for a new message; repeat an id to see a repeat answered the same."),
    )
