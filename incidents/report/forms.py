"""The observer's forms: the common fields of a report, each kind's details, the answer.

Forms only shape input; the rules (place and time, idempotency, limits,
files) are in the services, whose ValidationErrors come back next to the
fields they name.
"""

import datetime
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import (
    DatePrecision,
    DenialMethod,
    DeniedAccess,
    DetainedGroup,
    Detention,
    IncidentKind,
    InternetBlockage,
    InternetService,
    PollingStation,
    Region,
)
from ..models.base import latest_plausible_time
from ..public import shape as public
from ..services.attachments import ACCEPT_ATTRIBUTE

TOKEN_SALT = "incidents.report-form"


def form_token_new(observer):
    """A one-time token for one rendered report form, signed and tied to ``observer``."""
    return signing.dumps({"observer": observer.pk, "nonce": secrets.token_urlsafe(18)}, salt=TOKEN_SALT)


def client_token_from(form_token, observer):
    """The submission's client token carried by ``form_token``; ValidationError if it was
    changed or belongs to someone else."""
    try:
        payload = signing.loads(form_token, salt=TOKEN_SALT)
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("observer") != observer.pk or not payload.get("nonce"):
        raise ValidationError(
            _(
                "This form could not be checked (it was changed, or opened by another account). "
                "Check it and send it again."
            ),
            code="bad_token",
        )
    return f"web-{payload['nonce']}"


class PhoneDateTimeWidget(forms.SplitDateTimeWidget):
    """A date picker and a time picker, as phones show them."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs=attrs,
            date_attrs={"type": "date"},
            time_attrs={"type": "time"},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        )


class PhoneDateTimeField(forms.SplitDateTimeField):
    widget = PhoneDateTimeWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        # The day is needed; the time may be left out when only the day is known.
        self.fields[1].required = False

    def compress(self, data_list):
        if data_list and data_list[0] and not data_list[1]:
            data_list = [data_list[0], datetime.time(12, 0)]
        return super().compress(data_list)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files; each is checked by the attachment service when the form is cleaned."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ACCEPT_ATTRIBUTE

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(AttachmentsField, self).clean(file, initial) for file in files]


def minute(value):
    """Times are entered to the minute: compare them so."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    return value


def station_label(station):
    return f"{station.number} — {station.name}" if station.name else station.number


class StationChoiceField(forms.ModelChoiceField):
    """Any station of the election is accepted; the list shows the observer's first, then the region's."""

    def label_from_instance(self, station):
        return station_label(station)


class ReportForm(forms.Form):
    """The fields every report has. ``incident`` is given when editing."""

    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    polling_station = StationChoiceField(
        label=_("Polling station"),
        queryset=PollingStation.objects.none(),
        required=False,
        empty_label=_("— not at a polling station —"),
        help_text=_("Your stations come first, then those of the region."),
    )
    occurred_at = PhoneDateTimeField(
        label=_("When did it happen?"),
        help_text=_("Local time of the election. Leave the time empty if you know only the day."),
    )
    occurred_precision = forms.ChoiceField(
        label=_("How precise is this time?"), choices=DatePrecision.choices, initial=DatePrecision.EXACT
    )
    location_text = forms.CharField(
        label=_("Where exactly?"),
        max_length=500,
        required=False,
        help_text=_("An address or a landmark. Only moderators see it."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("Only moderators see your words; the public sees a summary written by a moderator."),
    )
    attachments = AttachmentsField(
        label=_("Photos, videos, audio or documents"),
        help_text=_("Optional. Location and camera data are removed from photos and videos before they are stored."),
    )

    def __init__(self, *args, observer, election, kind, incident=None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.observer, self.election, self.kind, self.incident = observer, election, kind, incident
        regions = selectors.election_regions(election)
        self.fields["region"].queryset = Region.objects.filter(country=election.country)
        self.fields["region"].choices = [("", _("— choose a region —"))] + [(r.pk, r.name) for r in regions]
        self.fields["region"].required = kind != IncidentKind.INTERNET_BLOCKAGE
        if kind == IncidentKind.INTERNET_BLOCKAGE:
            self.fields["region"].help_text = _("Leave empty for a blockage across the country.")
        self.fields["polling_station"].queryset = PollingStation.objects.filter(election=election)
        self.fields["polling_station"].choices = self.station_choices(self.chosen_region(region))
        self.fields["polling_station"].widget.attrs["data-own-group"] = str(_("Your stations"))
        self.fields["attachments"].help_text = _(
            "Optional. Up to %(count)d files, each at most %(size)d MB. Location and camera data are removed "
            "from photos and videos before they are stored."
        ) % {
            "count": settings.OBSERVER_ATTACHMENTS_PER_REPORT,
            "size": settings.OBSERVER_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def chosen_region(self, region):
        """The region whose stations to list: the one posted, else given, else the observer's."""
        if self.is_bound:
            posted = self.data.get(self.add_prefix("region"))
            return Region.objects.filter(pk=posted).first() if posted and str(posted).isdigit() else None
        if region is not None:
            return region
        initial = self.initial.get("region")
        if initial is not None:
            return initial if isinstance(initial, Region) else Region.objects.filter(pk=initial).first()
        return None

    def station_choices(self, region):
        assigned, in_region = selectors.observer_stations(self.observer, self.election, region)
        label = station_label
        choices = [("", self.fields["polling_station"].empty_label)]
        if assigned:
            choices.append((_("Your stations"), [(s.pk, label(s)) for s in assigned]))
        if in_region:
            group = _("Stations in %(region)s") % {"region": region.name}
            choices.append((group, [(s.pk, label(s)) for s in in_region]))
        return choices

    def clean_occurred_at(self):
        # Checked with the other fields, so every error of the form shows in one round (the service checks it too).
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at is not None and occurred_at > latest_plausible_time():
            raise ValidationError(_("This time is in the future."), code="future")
        return occurred_at

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if not files:
            return []
        try:
            return services.attachments_prepare(files, incident=self.incident)
        except ValidationError as error:
            raise ValidationError(error.message_dict[services.attachments.FIELD]) from error

    def submission_values(self):
        """The common fields as ``incident_submit`` takes them."""
        data = self.cleaned_data
        return {
            "region": data["region"],
            "polling_station": data["polling_station"],
            "occurred_at": data["occurred_at"],
            "occurred_precision": data["occurred_precision"],
            "location_text": data["location_text"],
            "description": data["description"],
        }

    def changes(self):
        """The editable fields whose value differs from the report's."""
        values = self.submission_values()
        return {
            name: value
            for name, value in values.items()
            if minute(value) != minute(getattr(self.incident, name)) and name in services.REPORTER_EDITABLE_FIELDS
        }


class NewReportForm(ReportForm):
    """A new report: carries the one-time token that makes a retry harmless."""

    form_token = forms.CharField(widget=forms.HiddenInput)

    def clean_form_token(self):
        token = self.cleaned_data["form_token"]
        self.client_token = client_token_from(token, self.observer)
        return token


class EditReportForm(ReportForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DetailForm(forms.ModelForm):
    """The fields of one kind. Times are local times of the election."""

    prefix = "detail"

    def details(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def changes(self):
        """The fields whose value differs from the detail's as the form was opened."""
        return {
            name: value for name, value in self.details().items() if minute(value) != minute(self.initial.get(name))
        }


def _checkboxes(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, widget=forms.CheckboxSelectMultiple, required=False)


class DetentionForm(DetailForm):
    detained_groups = _checkboxes(DetainedGroup.choices, _("Who was detained?"))
    released_at = PhoneDateTimeField(label=_("Released at"), required=False)

    class Meta:
        model = Detention
        fields = public.detail_fields(IncidentKind.DETENTION)
        labels = {
            "people_detained": _("How many people were detained?"),
            "people_detained_is_minimum": _("At least this many (the count may be higher)"),
            "detained_by": _("Detained by"),
            "circumstances": _("How were they detained?"),
            "release_status": _("Have they been released?"),
            "injuries_reported": _("Were injuries reported?"),
        }
        help_texts = {
            "detained_names": _("Private: only moderators see the names; they are never published."),
        }
        widgets = {"detained_names": forms.Textarea(attrs={"rows": 2})}


class DeniedAccessForm(DetailForm):
    methods = _checkboxes(DenialMethod.choices, _("How was access denied?"))

    class Meta:
        model = DeniedAccess
        fields = public.detail_fields(IncidentKind.DENIED_ACCESS)
        labels = {
            "person_role": _("Who was kept out?"),
            "people_affected": _("How many people?"),
            "stage": _("At which stage?"),
            "reason_given": _("Reason given"),
            "denied_by": _("By whom?"),
            "accreditation_shown": _("Was accreditation shown?"),
        }
        widgets = {"reason_given": forms.Textarea(attrs={"rows": 2})}


class InternetBlockageForm(DetailForm):
    services = _checkboxes(InternetService.choices, _("Services affected"))
    started_at = PhoneDateTimeField(label=_("Started at"), required=False)
    ended_at = PhoneDateTimeField(
        label=_("Ended at"), required=False, help_text=_("Leave empty while the blockage goes on.")
    )
    measurement_url = forms.URLField(
        label=_("Measurement evidence"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("An OONI measurement or IODA link."),
    )

    class Meta:
        model = InternetBlockage
        fields = public.detail_fields(IncidentKind.INTERNET_BLOCKAGE)
        labels = {"blockage_type": _("Type of blockage")}
        widgets = {"official_justification": forms.Textarea(attrs={"rows": 2})}


DETAIL_FORMS = {
    IncidentKind.DETENTION: DetentionForm,
    IncidentKind.DENIED_ACCESS: DeniedAccessForm,
    IncidentKind.INTERNET_BLOCKAGE: InternetBlockageForm,
}


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=_("It goes to the moderator with your report."),
    )


def route_errors(error, *forms_in_order):
    """Put a service's ValidationError next to the fields it names, in the first form that has them."""
    if not hasattr(error, "error_dict"):
        forms_in_order[0].add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        target = next((form for form in forms_in_order if form is not None and field in form.fields), None)
        if target is not None:
            target.add_error(field, messages)
        else:
            forms_in_order[0].add_error(None, messages)
