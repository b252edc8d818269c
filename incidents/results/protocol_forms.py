"""The observer's form for a copy of a protocol: one field per line of the election's protocol and per party.

(To move to incidents/report/ with the restructure.) The fields come from the election's
setup (``ProtocolSheet``); the checks are those of ``incidents.results.checks``, run before
sending so that the observer sees what does not add up and may send anyway.
"""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..services.attachments import ACCEPT_ATTRIBUTE
from ..services.protocols import MAX_FIGURE

LINE_PREFIX = "line_"
PARTY_PREFIX = "party_"


class ProtocolCopyForm(forms.Form):
    polling_station = forms.CharField(
        label=_("Polling station number"), max_length=32, help_text=_("As written on the protocol.")
    )
    copied_at = forms.DateTimeField(label=_("Copied at"), initial=timezone.now)
    photo = forms.FileField(
        label=_("Photo of the signed protocol"),
        required=False,
        help_text=_("Its location and camera data are removed; it is never public unless a moderator decides so."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ACCEPT_ATTRIBUTE.split(",video")[0], "capture": "environment"}
        ),
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    send_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sheet, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet, self.election = sheet, election
        self.fields["client_token"].initial = uuid.uuid4().hex
        for line in sheet.lines:
            self.fields[f"{LINE_PREFIX}{line.code}"] = forms.IntegerField(
                label=line.name,
                min_value=0,
                max_value=MAX_FIGURE,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        for party in sheet.parties:
            self.fields[f"{PARTY_PREFIX}{party.pk}"] = forms.IntegerField(
                label=party.name,
                min_value=0,
                max_value=MAX_FIGURE,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean_polling_station(self):
        number = self.cleaned_data["polling_station"].strip()
        station = self.election.polling_stations.filter(number=number).first()
        if station is None:
            raise forms.ValidationError(_("There is no polling station with this number in this election."))
        return station

    def line_fields(self):
        return [self[f"{LINE_PREFIX}{line.code}"] for line in self.sheet.lines]

    def party_fields(self):
        return [self[f"{PARTY_PREFIX}{party.pk}"] for party in self.sheet.parties]

    def figures(self):
        data = self.cleaned_data
        lines = {line.code: data[f"{LINE_PREFIX}{line.code}"] for line in self.sheet.lines}
        votes = {str(party.pk): data[f"{PARTY_PREFIX}{party.pk}"] for party in self.sheet.parties}
        return lines, votes
