"""The staff side of counting: copies with their checks and photo side by side, verify / ask / reject /
settle through the services, and the PVT sample with its per-region dashboard of missing copies."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import CopyStatus, ProtocolCopy, ProtocolCopyEvent, ProtocolLine, PvtSample, PvtStation
from . import checks


@admin.register(ProtocolLine)
class ProtocolLineAdmin(admin.ModelAdmin):
    list_display = ["election", "position", "code", "name_en", "role"]
    list_filter = ["election", "role"]
    list_select_related = ["election"]
    ordering = ["election", "position"]


class CopyEventInline(admin.TabularInline):
    model = ProtocolCopyEvent
    fields = ["created_at", "action", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("History of the copy")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


DECISIONS = [
    ("", "—"),
    ("verify", _("Verified: the figures match the photo")),
    ("ask", _("Ask the observer (write the question)")),
    ("reject", _("Reject (say why)")),
    ("settle", _("Settle the conflict: keep this copy (say why)")),
]


class ProtocolCopyForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, required=False)
    message = forms.CharField(label=_("Question, reason or comment"), widget=forms.Textarea, required=False)

    class Meta:
        model = ProtocolCopy
        fields = ["photo_is_public"]


@admin.register(ProtocolCopy)
class ProtocolCopyAdmin(admin.ModelAdmin):
    form = ProtocolCopyForm

    class Media:
        css = {"all": ["css/moderation.css"]}

    list_display = ["polling_station", "election", "status", "in_conflict", "checks_passed", "created_at", "is_demo"]
    list_filter = ["status", "in_conflict", "checks_passed", "election", "is_demo"]
    list_select_related = ["polling_station", "election"]
    search_fields = ["polling_station__number"]
    readonly_fields = ["review", "polling_station", "observer", "copied_at", "status", "in_conflict"]
    fieldsets = [
        (None, {"fields": ["review"]}),
        (
            _("Copy"),
            {"fields": ["polling_station", "observer", "copied_at", "status", "in_conflict", "photo_is_public"]},
        ),
        (_("Decision"), {"fields": ["decision", "message"]}),
    ]
    inlines = [CopyEventInline]

    def has_add_permission(self, request):
        return False  # observers file copies; staff only review them

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Figures, checks and photo"))
    def review(self, copy):
        lines = ProtocolLine.objects.filter(election=copy.election_id)
        rows = [(line.name, copy.lines.get(line.code, "—")) for line in lines]
        rows += [(party.name, copy.party_votes.get(str(party.pk), "—")) for party in copy.election.parties.all()]
        by_code = {rule.code: rule for rule in checks.CHECKS}
        results = format_html_join(
            "",
            '<li class="{}">{} — {} ({} / {})</li>',
            (
                (
                    "check-passed" if result["passed"] else "check-failed",
                    _("passes") if result["passed"] else _("FAILS"),
                    by_code[result["rule"]].description if result["rule"] in by_code else result["rule"],
                    result["left"],
                    result["right"],
                )
                for result in copy.check_results
            ),
        )
        figures = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        photo = (
            format_html(
                '<a href="{0}"><img src="{0}" alt="{1}"></a>',
                reverse("protocol-photo", args=[copy.pk]),
                _("photo of the sheet"),
            )
            if copy.photo
            else _("No photo was sent.")
        )
        return format_html(
            '<div class="protocol-review"><div><table>{}</table><ul>{}</ul></div><div>{}</div></div>',
            figures,
            results,
            photo,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        decision, message = form.cleaned_data.get("decision"), form.cleaned_data.get("message", "")
        try:
            if decision == "verify":
                services.protocol_copy_verify(copy=obj, actor=request.user, comment=message)
            elif decision == "ask":
                services.protocol_copy_ask(copy=obj, actor=request.user, question=message)
            elif decision == "reject":
                services.protocol_copy_reject(copy=obj, actor=request.user, reason=message)
            elif decision == "settle":
                services.protocol_conflict_settle(keep=obj, actor=request.user, comment=message)
        except services.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description=_("Verify the selected copies (figures checked against their photos)"))
    def verify(self, request, queryset):
        done = 0
        for copy in queryset.filter(status__in=[CopyStatus.SUBMITTED, CopyStatus.NEEDS_INFO]):
            try:
                services.protocol_copy_verify(copy=copy, actor=request.user)
                done += 1
            except services.WorkflowError as error:
                self.message_user(request, f"{copy}: {error.message}", messages.ERROR)
        self.message_user(request, _("%(count)d copies verified.") % {"count": done})

    actions = ["verify"]


class PvtStationInline(admin.TabularInline):
    model = PvtStation
    fields = ["stratum", "polling_station"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PvtSample)
class PvtSampleAdmin(admin.ModelAdmin):
    """The sample is drawn by ``manage.py pvt_draw`` (or services.pvt_sample_draw); its list is staff-only."""

    list_display = ["election", "fingerprint", "strata", "drawn_at", "published", "is_demo"]
    list_select_related = ["election"]
    readonly_fields = ["election", "seed", "fingerprint", "strata", "wanted_margin", "drawn_at", "drawn_by"]
    readonly_fields += ["published", "missing_by_region"]
    fields = readonly_fields
    inlines = [PvtStationInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Sampled stations whose verified copy has not arrived, by region"))
    def missing_by_region(self, sample):
        counts_copy = Q(
            polling_station__protocol_copies__status=CopyStatus.VERIFIED,
            polling_station__protocol_copies__in_conflict=False,
        )
        rows = (
            sample.stations.values("polling_station__region__code", "polling_station__region__name_en")
            .annotate(sampled=Count("id", distinct=True), arrived=Count("id", distinct=True, filter=counts_copy))
            .order_by("polling_station__region__code")
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("Region"),
            _("Sampled"),
            _("Missing"),
            format_html_join(
                "",
                "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row["polling_station__region__code"],
                        row["polling_station__region__name_en"],
                        row["sampled"],
                        row["sampled"] - row["arrived"],
                    )
                    for row in rows
                ),
            ),
        )

    @admin.action(description=_("Publish the seed and the list (only after the polls close)"))
    def publish(self, request, queryset):
        for sample in queryset:
            try:
                services.pvt_sample_publish(sample=sample, actor=request.user)
            except services.WorkflowError as error:
                self.message_user(request, error.message, messages.ERROR)
