"""OONI measurements in the admin: the list, the import of a saved API answer (coordinators),
and where the moderation page's evidence buttons post (moderators).

The cross-check shown on a blockage's moderation page comes from
``selectors.blockage_cross_check`` (``evidence_context`` below); attaching and
detaching are ``services.measurement_attach`` / ``measurement_detach``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import permissions, selectors, services
from ..imports.ooni import OoniFileError, import_answer
from ..models import EventAction, Incident, OoniMeasurement
from .base import ModelAdmin

#: the query a coordinator runs against OONI's API and saves (docs/blockages.md)
OONI_QUERY_EXAMPLE = "https://api.ooni.io/api/v1/measurements?probe_cc=KZ&since=2021-01-09&until=2021-01-12&limit=1000"


class OoniImportForm(forms.Form):
    file = forms.FileField(
        label=_("Saved answer of OONI's API"),
        help_text=_("The JSON answer of OONI's measurements list, saved as a file."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.OBSERVER_IMPORT_MAX_MB * 1024 * 1024:
            raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": settings.OBSERVER_IMPORT_MAX_MB})
        return upload


class EvidenceForm(forms.Form):
    comment = forms.CharField(label=_("Note"), required=False, max_length=2000)


def evidence_context(request, incident):
    """What the moderation page of a blockage report shows of its evidence (empty for other kinds)."""
    check = selectors.blockage_cross_check(incident)
    if check is None:
        return {}
    last_none = incident.events.filter(action=EventAction.OONI_NONE).order_by("-created_at", "-id").first()
    return {
        "cross_check": check,
        "evidence_url": reverse("admin:incidents_oonimeasurement_evidence", args=[incident.pk]),
        "can_attach_measurements": permissions.is_moderator(request.user),
        "last_no_support": last_none,
        "ooni_import_url": reverse("admin:incidents_oonimeasurement_import"),
    }


@admin.register(OoniMeasurement)
class OoniMeasurementAdmin(ModelAdmin):
    list_display = (
        "measurement_start_time",
        "probe_cc",
        "asn_text",
        "probe_network_name",
        "test_name",
        "input",
        "anomaly",
        "confirmed",
        "failure",
        "explorer_link",
    )
    list_filter = ("probe_cc", "test_name", "confirmed", "anomaly", "failure")
    search_fields = ("measurement_uid", "input", "probe_network_name", "report_id")
    date_hierarchy = "measurement_start_time"
    list_per_page = 100
    change_list_template = "admin/incidents/oonimeasurement/change_list.html"

    @admin.display(description=_("network (ASN)"), ordering="probe_asn")
    def asn_text(self, measurement):
        return measurement.asn_text

    @admin.display(description=_("OONI Explorer"))
    def explorer_link(self, measurement):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', measurement.explorer_url, _("open"))

    # Measurements are OONI's: imported as they are, never edited by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_import(self, request):
        return request.user.has_perm("incidents.add_oonimeasurement") and permissions.staff_powers_unlocked(
            request.user
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="incidents_oonimeasurement_import"),
            path(
                "evidence/<int:incident_pk>/",
                self.admin_site.admin_view(self.evidence_view),
                name="incidents_oonimeasurement_evidence",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        form = OoniImportForm()
        status = 200
        if request.method == "POST":
            form = OoniImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    outcome = import_answer(form.cleaned_data["file"].read())
                except OoniFileError as error:
                    form.add_error("file", _("Nothing was imported: %(error)s") % {"error": error})
                else:
                    self.message_user(
                        request,
                        _("%(created)d measurement(s) added, %(existing)d already stored.")
                        % {"created": outcome.created, "existing": outcome.existing},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:incidents_oonimeasurement_changelist"))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import OONI measurements"),
            "form": form,
            "query_example": OONI_QUERY_EXAMPLE,
        }
        return TemplateResponse(request, "admin/incidents/oonimeasurement/import.html", context, status=status)

    def evidence_view(self, request, incident_pk):
        """The evidence buttons of a blockage's moderation page post here; the answer is that page again."""
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        return require_POST(self._evidence)(request, incident_pk)

    def _evidence(self, request, incident_pk):
        incident = get_object_or_404(Incident.objects.select_related("election", "internet_blockage"), pk=incident_pk)
        page = reverse("admin:incidents_incident_change", args=[incident.pk]) + "#blockage-evidence"
        form = EvidenceForm(request.POST)
        comment = form.cleaned_data["comment"].strip() if form.is_valid() else ""
        post, actor = request.POST, request.user
        try:
            if "attach" in post or "detach" in post:
                value = post.get("attach") or post.get("detach") or ""
                measurement = selectors.measurement_in_cross_check(incident, int(value) if value.isdigit() else 0)
                if measurement is None:
                    raise ValidationError(_("This measurement is not one of this report's country, networks and time."))
                if "attach" in post:
                    services.measurement_attach(
                        incident=incident, measurement=measurement, actor=actor, comment=comment
                    )
                    text = _("The measurement is attached as evidence.")
                else:
                    services.measurement_detach(
                        incident=incident, measurement=measurement, actor=actor, comment=comment
                    )
                    text = _("The measurement is no longer attached.")
            elif "none_supports" in post:
                listed = len(selectors.blockage_cross_check(incident).measurements)
                services.measurements_none_support(incident=incident, actor=actor, comment=comment, listed=listed)
                text = _("Noted: no measurement supports this report.")
            else:
                raise ValidationError(_("Nothing was asked for."))
        except (services.WorkflowError, ValidationError) as error:
            self.message_user(request, services.error_message(error), messages.ERROR)
        else:
            self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(page)
