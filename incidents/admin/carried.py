"""The coordinators' upload of an outbox file carried from a phone (/admin/carried-outbox/).

An admin page of its own (the admin site's login, second factor and CSRF);
the work is the service ``incidents.services.carried.carried_outbox_file``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import permissions
from ..report.outbox_file import OutboxFileRefused

#: a carried file holds the photos of many reports
MAX_FILE_BYTES = 200 * 1024 * 1024


class CarriedFileForm(forms.Form):
    outbox_file = forms.FileField(
        label=gettext_lazy("Outbox file"),
        help_text=gettext_lazy("The file an observer's phone saved with “Save as a file to carry”."),
    )

    def clean_outbox_file(self):
        upload = self.cleaned_data["outbox_file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("This file is larger than any outbox file could be."))
        return upload


def upload_view(request):
    from ..services.carried import carried_outbox_file

    if not permissions.is_coordinator(request.user):
        raise PermissionDenied
    result, status = None, 200
    form = CarriedFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = carried_outbox_file(data=form.cleaned_data["outbox_file"].read(), actor=request.user)
        except OutboxFileRefused as refusal:
            form.add_error("outbox_file", refusal.message)
            status = 400
        else:
            form = CarriedFileForm()
    elif request.method == "POST":
        status = 400
    context = {
        **admin.site.each_context(request),
        "title": _("Upload a carried outbox file"),
        "form": form,
        "result": result,
        "summary": result
        and (
            ngettext("%(count)d report filed", "%(count)d reports filed", len(result.filed))
            % {"count": len(result.filed)}
            + ", "
            + ngettext("%(count)d was already on the site", "%(count)d were already on the site", len(result.already))
            % {"count": len(result.already)}
        ),
        "configured": bool(settings.OBSERVER_OUTBOX_PRIVATE_KEY),
    }
    return TemplateResponse(request, "admin/incidents/carried_outbox.html", context, status=status)


upload = admin.site.admin_view(upload_view)
