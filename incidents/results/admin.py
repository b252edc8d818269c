"""The admin door to the station-results import: a commission's file through a column mapping.

Upload, preview (a dry run of every row), confirm — as the other imports
(``incidents/imports/admin.py``), whose private upload folder and session
bookkeeping it shares. Added to the official results' admin by
``StationResultsImportMixin``.
"""

import dataclasses
import secrets
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..imports.admin import SESSION_KEY, ImportExportMixin, import_root
from ..imports.reader import ImportFileError, check_size
from ..models import Election
from .station_import import MAPPINGS, ROLES, ColumnMapping, StationResultImporter, import_station_results

KIND = "station_results"
COLUMN_ROLES = ["region", "district", "station", "registered_voters", "valid_votes", "invalid_votes", "url"]
REQUIRED_ROLES = ["region", "district", "station", "registered_voters", "valid_votes"]


class StationResultsImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8), XLSX, or a ZIP archive holding one CSV.")
    )
    election = forms.ModelChoiceField(
        Election.objects.all(),
        label=gettext_lazy("Election"),
        help_text=gettext_lazy("An election with no polling station yet: the file sets up its stations."),
    )
    mapping = forms.ChoiceField(
        label=gettext_lazy("Column mapping"),
        required=False,
        choices=[("", gettext_lazy("the columns named below")), *[(name, name) for name in MAPPINGS]],
        help_text=gettext_lazy("ru-cec: Russia's Central Election Commission. Columns named below override it."),
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=500, help_text=gettext_lazy("Who published it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for role in COLUMN_ROLES:
            self.fields[role] = forms.CharField(label=role, required=False, max_length=300, help_text=ROLES[role])
        self.fields["ballots_cast"] = forms.CharField(
            label="ballots_cast",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=ROLES["ballots_cast"],
        )
        self.fields["party_pattern"] = forms.CharField(
            label="party_pattern", required=False, max_length=200, help_text=ROLES["party_pattern"]
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from error
        return upload

    def clean(self):
        data = super().clean()
        given = {
            role: data.get(role, "").strip() for role in [*COLUMN_ROLES, "party_pattern"] if data.get(role, "").strip()
        }
        ballots = [line.strip() for line in data.get("ballots_cast", "").splitlines() if line.strip()]
        if ballots:
            given["ballots_cast"] = tuple(ballots)
        if data.get("mapping"):
            data["column_mapping"] = dataclasses.replace(MAPPINGS[data["mapping"]], **given)
            return data
        for role in [*REQUIRED_ROLES, "ballots_cast"]:
            if role not in given:
                self.add_error(role, _("Name the column, or choose a known mapping."))
        if not self.errors:
            data["column_mapping"] = ColumnMapping(**given)
        return data


class StationResultsImportMixin(ImportExportMixin):
    """Adds "Import station results" to the official results' admin."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import-stations/", self.admin_site.admin_view(self.station_import_view), name=f"{name}_import_stations"
            ),
            *super().get_urls(),
        ]

    def has_station_import_permission(self, request):
        return request.user.has_perms(StationResultImporter.required_permissions())

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_stations": self.has_station_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def station_import_view(self, request):
        if not self.has_station_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.station_confirm(request, request.POST["token"], cancel="cancel" in request.POST)
        form = StationResultsImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            token, pending = self.keep_station_file(request, form)
            try:
                report = self.run_station_import(request, pending, write=False)
            except ImportFileError as error:
                self.forget(request, token)
                form.add_error("file", error.message)
            else:
                return self.render_station_preview(request, report, token, pending)
        context = self.station_context(request, form=form)
        return TemplateResponse(request, "admin/incidents/station_results_import.html", context)

    def keep_station_file(self, request, form):
        self.sweep()
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(24)
        kept = import_root() / f"{token}{Path(upload.name).suffix.lower()[:8]}"
        with kept.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        mapping = dataclasses.asdict(form.cleaned_data["column_mapping"])
        mapping["ballots_cast"] = list(mapping["ballots_cast"])
        pending = {
            "kind": KIND,
            "name": Path(upload.name).name,
            "path": kept.name,
            "options": {
                "election": form.cleaned_data["election"].pk,
                "mapping": mapping,
                "source": form.cleaned_data["source"],
            },
        }
        sessions = request.session.get(SESSION_KEY, {})
        sessions[token] = pending
        request.session[SESSION_KEY] = sessions
        return token, pending

    def run_station_import(self, request, pending, *, write):
        options = pending["options"]
        mapping = ColumnMapping(**{**options["mapping"], "ballots_cast": tuple(options["mapping"]["ballots_cast"])})
        return import_station_results(
            import_root() / pending["path"],
            election=Election.objects.get(pk=options["election"]),
            mapping=mapping,
            source=options["source"],
            actor=request.user,
            write=write,
            name=pending["name"],
        )

    def station_confirm(self, request, token, *, cancel):
        import_url = self.url("import_stations")
        pending = request.session.get(SESSION_KEY, {}).get(token)
        if pending is None or pending["kind"] != KIND or not (import_root() / pending["path"]).is_file():
            self.forget(request, token)
            messages.error(request, _("This upload has expired; upload the file again."))
            return HttpResponseRedirect(import_url)
        if cancel:
            self.forget(request, token)
            messages.info(request, _("Import cancelled; nothing was written."))
            return HttpResponseRedirect(self.url("changelist"))
        try:
            report = self.run_station_import(request, pending, write=True)
        except (ImportFileError, DatabaseError, Election.DoesNotExist) as error:
            self.forget(request, token)
            messages.error(
                request, _("Nothing was imported: %(error)s") % {"error": getattr(error, "message", None) or str(error)}
            )
            return HttpResponseRedirect(import_url)
        if not report.written:
            return self.render_station_preview(request, report, token, pending)
        self.forget(request, token)
        messages.success(
            request,
            _("Imported %(name)s: %(created)d stations with their results.")
            % {"name": pending["name"], "created": report.created},
        )
        election = Election.objects.get(pk=pending["options"]["election"])
        return HttpResponseRedirect(reverse("election-forensics", args=[election.slug]))

    def render_station_preview(self, request, report, token, pending):
        context = self.station_context(
            request,
            report=report,
            token=token,
            election=Election.objects.filter(pk=pending["options"]["election"]).first(),
        )
        return TemplateResponse(request, "admin/incidents/import_preview.html", context)

    def station_context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import station results"),
            "roles": ROLES,
            "changelist_url": self.url("changelist"),
            "import_url": self.url("import_stations"),
            **extra,
        }
