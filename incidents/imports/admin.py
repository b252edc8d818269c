"""The admin door to the importers: upload, preview, confirm; and exports.

The uploaded file waits between preview and confirm in a private folder
(``OBSERVER_IMPORT_ROOT``, never served) under a random name that only the
uploader's session knows. Only users who may add and change the rows an
import writes see the import pages; exports need the view permission.
"""

import secrets
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors
from ..models import Election, ResultStage
from ..tabular import csv_lines, started
from . import IMPORTERS
from .base import run_import
from .exports import EXPORT_FORMATS, export_filename, write_export, write_template
from .reader import ImportFileError, check_size, open_table

SESSION_KEY = "incidents_imports"
#: uploads left waiting longer than this are removed
KEEP_SECONDS = 24 * 3600


def import_root():
    root = Path(settings.OBSERVER_IMPORT_ROOT or Path(settings.MEDIA_ROOT) / "imports")
    root.mkdir(parents=True, exist_ok=True)
    return root


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8, comma or semicolon) or XLSX.")
    )
    election = forms.ModelChoiceField(Election.objects.all(), label=gettext_lazy("Election"))

    def __init__(self, *args, importer_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer_class = importer_class
        kind = importer_class.kind
        if not importer_class.needs_election:
            if kind == "observers":
                self.fields["election"].required = False
                self.fields["election"].help_text = _("The election whose polling stations the file assigns.")
            else:
                del self.fields["election"]
        if "election" in self.fields:
            current = selectors.election_current()
            self.fields["election"].initial = current.pk if current else None
        if kind == "results":
            self.fields["stage"] = forms.ChoiceField(
                label=_("Stage"),
                choices=[("", _("as in the file")), *ResultStage.choices],
                required=False,
                help_text=_("For rows whose stage cell is empty."),
            )
            self.fields["source"] = forms.CharField(
                label=_("Source"), max_length=500, required=False, help_text=_("For rows whose source cell is empty.")
            )
            self.fields["tolerance_percent"] = forms.DecimalField(
                label=_("Tolerance %"),
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=Decimal(settings.OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT),
                help_text=_("How far the parties' votes may be from the valid votes, in percent."),
            )
        if kind == "observers":
            self.fields["invite"] = forms.BooleanField(
                label=_("Mail new observers an invitation to set their password"), required=False, initial=True
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from error
        return upload

    def importer_options(self):
        data = self.cleaned_data
        options = {}
        if "election" in data:
            options["election"] = data["election"].pk if data["election"] else None
        for name in ("stage", "source", "invite"):
            if name in data:
                options[name] = data[name]
        if "tolerance_percent" in data and data["tolerance_percent"] is not None:
            options["tolerance_percent"] = str(data["tolerance_percent"])
        return options


class ImportExportMixin:
    """Adds import, export and template pages to a reference-data ModelAdmin."""

    import_kind = ""
    change_list_template = "admin/incidents/import_export_change_list.html"

    @property
    def importer_class(self):
        return IMPORTERS[self.import_kind]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path("export/<str:fmt>/", view(self.export_view), name=f"{name}_export"),
            path("template/<str:fmt>/", view(self.template_view), name=f"{name}_template"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return request.user.has_perms(self.importer_class.required_permissions())

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": self.has_import_permission(request),
            "export_formats": EXPORT_FORMATS,
            "export_election": request.GET.get("election__id__exact", ""),
        }
        return super().changelist_view(request, extra_context)

    def url(self, view, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    # Exports and templates

    def export_importer(self, request):
        election = None
        pk = request.GET.get("election", "")
        if pk.isdigit():
            election = Election.objects.filter(pk=pk).first()
        if election is None and self.importer_class.needs_election:
            election = selectors.election_current()
            if election is None:
                raise Http404(_("There is no election yet."))
        return self.importer_class(election=election)

    def export_view(self, request, fmt):
        if not self.has_view_permission(request) or fmt not in EXPORT_FORMATS:
            raise PermissionDenied if fmt in EXPORT_FORMATS else Http404
        importer = self.export_importer(request)
        filename = export_filename(importer, fmt)
        if fmt == "csv":
            lines = started(csv_lines(importer.header_columns(), importer.export_rows()))
            response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
            write_export(importer, fmt, out)
            out.seek(0)
            response = FileResponse(out, as_attachment=True, filename=filename)
        response["Cache-Control"] = "private, no-store"
        return response

    def template_view(self, request, fmt):
        if not self.has_view_permission(request) or fmt not in EXPORT_FORMATS:
            raise PermissionDenied if fmt in EXPORT_FORMATS else Http404
        importer = self.export_importer(request)
        out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
        write_template(importer, fmt, out)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=export_filename(importer, fmt, template=True))

    # Upload, preview, confirm

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.confirm(request, request.POST["token"], cancel="cancel" in request.POST)
        form = ImportForm(request.POST or None, request.FILES or None, importer_class=self.importer_class)
        if request.method == "POST" and form.is_valid():
            token, kept = self.keep(request, form)
            pending = request.session[SESSION_KEY][token]
            try:
                report = self.run(request, kept, pending, write=False)
            except ImportFileError as error:
                self.forget(request, token)
                form.add_error("file", error.message)
            else:
                return self.render_preview(request, report, token, pending)
        return TemplateResponse(request, "admin/incidents/import_form.html", self.context(request, form=form))

    def keep(self, request, form):
        """Keep the upload privately under a random name until the coordinator confirms or cancels."""
        self.sweep()
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(24)
        suffix = Path(upload.name).suffix.lower()[:8]
        kept = import_root() / f"{token}{suffix}"
        with kept.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "kind": self.import_kind,
            "name": Path(upload.name).name,
            "path": kept.name,
            "options": form.importer_options(),
        }
        request.session[SESSION_KEY] = pending
        return token, kept

    def forget(self, request, token):
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        if entry:
            (import_root() / entry["path"]).unlink(missing_ok=True)

    @staticmethod
    def sweep():
        cutoff = time.time() - KEEP_SECONDS
        for kept in import_root().iterdir():
            if kept.is_file() and kept.stat().st_mtime < cutoff:
                kept.unlink(missing_ok=True)

    def run(self, request, kept, pending, *, write):
        options = dict(pending["options"])
        if options.get("election"):
            options["election"] = Election.objects.get(pk=options["election"])
        importer = self.importer_class(
            actor=request.user, origin=_("%(name)s, uploaded in the admin") % {"name": pending["name"]}, **options
        )
        table = open_table(kept, pending["name"])
        return run_import(importer, table, write=write)

    def confirm(self, request, token, *, cancel):
        pending = request.session.get(SESSION_KEY, {}).get(token)
        if pending is None or pending["kind"] != self.import_kind:
            messages.error(request, _("This upload has expired; upload the file again."))
            return HttpResponseRedirect(self.url("import"))
        if cancel:
            self.forget(request, token)
            messages.info(request, _("Import cancelled; nothing was written."))
            return HttpResponseRedirect(self.url("changelist"))
        kept = import_root() / pending["path"]
        if not kept.is_file():
            self.forget(request, token)
            messages.error(request, _("This upload has expired; upload the file again."))
            return HttpResponseRedirect(self.url("import"))
        try:
            report = self.run(request, kept, pending, write=True)
        except (ImportFileError, DatabaseError) as error:
            self.forget(request, token)
            messages.error(
                request,
                _("Nothing was imported: %(error)s") % {"error": getattr(error, "message", None) or str(error)},
            )
            return HttpResponseRedirect(self.url("import"))
        if not report.written:
            messages.warning(request, _("The data changed since the preview; nothing was imported. Check it again."))
            return self.render_preview(request, report, token, pending)
        self.forget(request, token)
        messages.success(
            request,
            _("Imported %(name)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "name": pending["name"],
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        for note in report.notes:
            messages.info(request, note)
        return HttpResponseRedirect(self.url("changelist"))

    def render_preview(self, request, report, token, pending):
        election_pk = pending["options"].get("election")
        context = self.context(
            request,
            report=report,
            token=token,
            election=Election.objects.filter(pk=election_pk).first() if election_pk else None,
        )
        return TemplateResponse(request, "admin/incidents/import_preview.html", context)

    def context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import %(things)s") % {"things": self.opts.verbose_name_plural},
            "importer": self.importer_class,
            "columns": self.importer_class.columns,
            "export_formats": EXPORT_FORMATS,
            "changelist_url": self.url("changelist"),
            "import_url": self.url("import"),
            **extra,
        }
