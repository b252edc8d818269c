"""The observer's side of the API: filing, reading, editing and answering their own reports.

The observer sees everything of their own reports (their words, the names
they gave, their files) but never who moderated them, internal notes, or
anything of another observer's reports.
"""

import copy
import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from .. import permissions, services
from ..models import (
    DatePrecision,
    DenialMethod,
    DeniedAccess,
    DetainedGroup,
    Detention,
    EventAction,
    IncidentKind,
    InternetBlockage,
    InternetService,
    PollingStation,
    Region,
    Status,
    Verification,
)
from ..public import shape as public_shape
from .fields import CoordinateField, FieldsBuiltOnce, JsonObjectField, StrictInput
from .public_serializers import choice_list

MAX_DESCRIPTION = 20_000


# Details of each kind, as the observer gives and sees them (the web form's fields) ---------------------------------


class ReportDetailSerializer(StrictInput, serializers.ModelSerializer):
    """One kind's details. Checked by ``services.build_detail``, as the service will check them."""

    def validate(self, attrs):
        # When editing, the details as they will be: the saved ones with the changes given.
        saved = {name: getattr(self.instance, name) for name in self.Meta.fields} if self.instance else {}
        try:
            services.build_detail(self.Meta.model.kind, {**saved, **attrs})
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return attrs


def _detail_meta(model):
    return type("Meta", (), {"model": model, "fields": public_shape.detail_fields(model.kind)})


class DetentionDetailsSerializer(ReportDetailSerializer):
    detained_groups = choice_list(DetainedGroup.choices, required=False, allow_empty=True)

    Meta = _detail_meta(Detention)


class DeniedAccessDetailsSerializer(ReportDetailSerializer):
    methods = choice_list(DenialMethod.choices, required=False, allow_empty=True)

    Meta = _detail_meta(DeniedAccess)


class InternetBlockageDetailsSerializer(ReportDetailSerializer):
    services = choice_list(InternetService.choices, required=False, allow_empty=True)

    Meta = _detail_meta(InternetBlockage)


DETAIL_SERIALIZERS = {
    IncidentKind.DETENTION: DetentionDetailsSerializer,
    IncidentKind.DENIED_ACCESS: DeniedAccessDetailsSerializer,
    IncidentKind.INTERNET_BLOCKAGE: InternetBlockageDetailsSerializer,
}


def _read_only(serializer_class, name):
    """``serializer_class`` for answers: every field read-only, so every field is always present."""
    declared = {}
    for field_name, field in serializer_class._declared_fields.items():
        declared[field_name] = copy.deepcopy(field)
        declared[field_name].read_only, declared[field_name].required = True, False
    meta = type("Meta", (serializer_class.Meta,), {"read_only_fields": serializer_class.Meta.fields})
    return type(
        name,
        (FieldsBuiltOnce, serializers.ModelSerializer),
        {**declared, "Meta": meta, "__doc__": serializer_class.__doc__},
    )


#: the details as the observer and staff read them back
DETAIL_READ_SERIALIZERS = {
    kind: _read_only(serializer_class, serializer_class.__name__.replace("DetailsSerializer", "Details"))
    for kind, serializer_class in DETAIL_SERIALIZERS.items()
}

DETAILS_SCHEMA = PolymorphicProxySerializer(
    component_name="ReportDetails",
    serializers=list(DETAIL_READ_SERIALIZERS.values()),
    resource_type_field_name=None,
)


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ReportDetailsInput",
        serializers=list(DETAIL_SERIALIZERS.values()),
        resource_type_field_name=None,
    )
)
class DetailsField(JsonObjectField):
    """The details of the report's kind (see ``kind``): an object, or in multipart one part of JSON text."""


# Filing -----------------------------------------------------------------------------------------------------------


class ReportFields(StrictInput):
    """The fields a report has, for filing and editing."""

    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The region's code. Needed for every kind but an internet blockage across the country."),
    )
    polling_station = serializers.CharField(
        max_length=32,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=_("The station's number in the election."),
    )
    occurred_at = serializers.DateTimeField(
        help_text=_("When it happened (ISO 8601). A time without an offset is the election's local time.")
    )
    occurred_precision = serializers.ChoiceField(DatePrecision.choices, default=DatePrecision.EXACT)
    location_text = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("An address or a landmark. Only moderators see it."),
    )
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION,
        help_text=_("What happened, in the observer's words. Only moderators see it."),
    )
    latitude = CoordinateField(90, required=False, allow_null=True)
    longitude = CoordinateField(180, required=False, allow_null=True)
    is_sensitive = serializers.BooleanField(
        default=False, help_text=_("The point is shown to the public only coarsened, to about 10 km.")
    )
    details = DetailsField(required=False, allow_null=True)

    def validate_region(self, region):
        election = self.context["election"]
        if region is not None and election is not None and region.country != election.country:
            raise serializers.ValidationError(_("This region is not in the country of the election."))
        return region

    def station(self, number):
        election = self.context["election"]
        if not number:
            return None
        station = PollingStation.objects.filter(election=election, number=number).first()
        if station is None:
            message = _("There is no polling station %(number)s in this election.") % {"number": number}
            raise serializers.ValidationError({"polling_station": [message]})
        return station

    def kind_details(self, kind, raw, saved=None):
        """The validated details of ``kind`` from the raw object (None for kinds without details);
        when editing, ``saved`` is the detail row the changes apply to."""
        serializer_class = DETAIL_SERIALIZERS.get(kind)
        if serializer_class is None:
            if raw:
                raise serializers.ValidationError({"details": [_("This kind of incident takes no details.")]})
            return None
        serializer = serializer_class(saved, data=raw or {}, partial=self.partial)
        if not serializer.is_valid():
            raise serializers.ValidationError({"details": serializer.errors})
        return serializer.validated_data


class ReportCreateSerializer(ReportFields):
    """A new report for the current election."""

    kind = serializers.ChoiceField(IncidentKind.choices)

    def validate(self, attrs):
        if self.context["election"] is None:
            raise serializers.ValidationError(_("No election is open for reports."))
        kind = attrs["kind"]
        if attrs.get("region") is None and kind != IncidentKind.INTERNET_BLOCKAGE:
            raise serializers.ValidationError({"region": [_("Choose the region.")]})
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": [_("Give both latitude and longitude, or neither.")]})
        attrs["polling_station"] = self.station(attrs.get("polling_station"))
        attrs["details"] = self.kind_details(kind, attrs.get("details"))
        return attrs

    def submission_values(self):
        """The validated values as ``services.incident_submit`` takes them."""
        data = dict(self.validated_data)
        data.pop("attachments", None)
        return data

    def canonical(self):
        """The submission as plain JSON values, for its idempotency fingerprint."""
        values = self.submission_values()
        values["region"] = values["region"].code if values.get("region") else None
        values["polling_station"] = values["polling_station"].number if values.get("polling_station") else None
        return _plain(values)


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, timezone.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


class AttachmentsInput(serializers.Serializer):
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_(
            "Photos (JPEG, PNG, WebP), videos (MP4, MOV), audio or PDF; the type is read from the content. "
            "Location and camera data are removed before a file is stored."
        ),
    )


class ReportCreateWithFilesSerializer(AttachmentsInput, ReportCreateSerializer):
    """A new report with its files, as multipart/form-data (``details`` as one part of JSON text)."""


class ReportEditSerializer(ReportFields):
    """Changes to one's own report while it waits for a moderator (submitted or needs information).

    Only the fields given are changed; ``details`` changes only the detail fields it names.
    """

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The report's version as last read: if it changed since, nothing is saved (409)."),
    )

    def validate(self, attrs):
        incident = self.instance
        changes = {name: value for name, value in attrs.items() if name not in ("version", "details", "attachments")}
        if "region" in changes and changes["region"] is None and incident.kind != IncidentKind.INTERNET_BLOCKAGE:
            raise serializers.ValidationError({"region": [_("Choose the region.")]})
        if "polling_station" in changes:
            self.context["election"] = incident.election
            changes["polling_station"] = self.station(changes["polling_station"])
        if "location_text" in changes and changes["location_text"] is None:
            changes["location_text"] = ""
        latitude = changes.get("latitude", incident.latitude)
        longitude = changes.get("longitude", incident.longitude)
        if (latitude is None) != (longitude is None):
            raise serializers.ValidationError({"longitude": [_("Give both latitude and longitude, or neither.")]})
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the report's version as last read.")]})
        details = {}
        if attrs.get("details") is not None:
            details = self.kind_details(incident.kind, attrs["details"], saved=incident.detail)
        return {
            "changes": changes,
            "detail_changes": details or {},
            "expected_version": attrs["version"],
            "attachments": attrs.get("attachments", []),
        }


class ReportEditWithFilesSerializer(AttachmentsInput, ReportEditSerializer):
    """Changes and new files, as multipart/form-data (``details`` as one part of JSON text)."""


class AnswerSerializer(StrictInput):
    answer = serializers.CharField(
        max_length=MAX_DESCRIPTION, help_text=_("The answer to the moderator's question; it goes with the report.")
    )


# What the observer reads --------------------------------------------------------------------------------------------


class OwnAttachmentSerializer(FieldsBuiltOnce, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_url(self, attachment) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("attachment-file", args=[attachment.pk])
        return request.build_absolute_uri(path) if request else path


class OwnEventSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A step of the report's history that its observer may see; never who the moderator was."""

    action = serializers.ChoiceField(EventAction.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    by_you = serializers.SerializerMethodField(help_text=_("Made by the observer (else by a moderator)."))
    changed_fields = serializers.SerializerMethodField(help_text=_("The fields an edit changed."))

    def get_by_you(self, event) -> bool:
        return event.actor_id is not None and event.actor_id == self.context["request"].user.pk

    def get_changed_fields(self, event) -> list[str]:
        if event.action == EventAction.ATTACHED:
            return ["attachments"]
        if event.action != EventAction.EDITED:
            return []
        return [name for name in event.changes if not name.startswith("attachment ")]


class OwnReportSummarySerializer(FieldsBuiltOnce, serializers.Serializer):
    """One of the observer's reports in their list."""

    reference = serializers.CharField(read_only=True)
    election = serializers.SlugField(source="election.slug", read_only=True)
    kind = serializers.ChoiceField(IncidentKind.choices, read_only=True)
    status = serializers.ChoiceField(Status.choices, read_only=True)
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    polling_station = serializers.CharField(
        source="polling_station.number", read_only=True, allow_null=True, default=None
    )
    occurred_at = serializers.DateTimeField(read_only=True)
    occurred_precision = serializers.ChoiceField(DatePrecision.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_action = serializers.ChoiceField(
        EventAction.choices, read_only=True, allow_null=True, help_text=_("The last step the observer may see.")
    )
    last_event_at = serializers.DateTimeField(read_only=True, allow_null=True)
    can_edit = serializers.SerializerMethodField()

    def get_can_edit(self, incident) -> bool:
        return permissions.can_edit_report(self.context["request"].user, incident)


class OwnReportSerializer(OwnReportSummarySerializer):
    """One of the observer's reports, whole, with the steps they may see."""

    verification = serializers.ChoiceField(Verification.choices, read_only=True)
    location_text = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    is_sensitive = serializers.BooleanField(read_only=True)
    details = serializers.SerializerMethodField(allow_null=True)
    question = serializers.SerializerMethodField(
        help_text=_("While the report needs information: the moderator's question.")
    )
    public_url = serializers.SerializerMethodField(help_text=_("The public page, once published."))
    version = serializers.IntegerField(read_only=True, help_text=_("Send it back when editing."))
    updated_at = serializers.DateTimeField(read_only=True)
    attachments = OwnAttachmentSerializer(many=True, read_only=True, source="attachments.all")
    events = serializers.SerializerMethodField()

    def history(self, incident):
        return self.context["history"]

    @extend_schema_field(DETAILS_SCHEMA)
    def get_details(self, incident):
        detail = incident.detail
        serializer_class = DETAIL_READ_SERIALIZERS.get(incident.kind)
        if detail is None or serializer_class is None:
            return None
        return serializer_class(detail).data

    def get_question(self, incident) -> str | None:
        if incident.status != Status.NEEDS_INFO:
            return None
        asked = [event for event in self.history(incident) if event.action == EventAction.ASKED]
        return asked[-1].comment if asked else None

    def get_public_url(self, incident) -> str | None:
        if incident.status != Status.PUBLISHED:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(incident.get_absolute_url()) if request else incident.get_absolute_url()

    @extend_schema_field(OwnEventSerializer(many=True))
    def get_events(self, incident):
        return OwnEventSerializer(self.history(incident), many=True, context=self.context).data
