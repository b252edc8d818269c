"""The forms of moderation: the incident's edit form, the panel's form, and the bulk moves' forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ... import selectors, services
from ...models import Incident, Verification


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
        if self.instance.pk:
            try:
                services.check_version(self.instance, cleaned.get("seen_version"))
            except services.IncidentChanged as error:
                raise ValidationError(str(error)) from error
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
    break_reason = forms.CharField(
        label=_("Why you take it back"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the history and sent to the moderator who held it."),
    )


class BulkVerifyForm(forms.Form):
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    comment = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BulkRejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with each report and sent to its observer."),
    )
