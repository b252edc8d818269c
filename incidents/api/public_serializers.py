"""Shapes of the public API answers.

Incidents: these serializers take a ``public.PublicIncident`` (built by
``incidents.public.shape``, which holds nothing private) and refuse anything
else, so they cannot reach a private field even by mistake. Their fields
are those of ``public.properties`` — the same as the GeoJSON export — and
the details of each kind are exactly ``public.PUBLIC_DETAIL_FIELDS``.

Reference data (elections, regions, results, stations, parties) has no
private fields; each serializer still names its fields one by one.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from ..models import (
    Charges,
    DatePrecision,
    DenialMethod,
    DeniedAccess,
    DetainedGroup,
    Detention,
    Election,
    IncidentKind,
    InternetBlockage,
    InternetService,
    OfficialResult,
    Party,
    PartyResult,
    PollingStation,
    Verification,
)
from ..public import shape as public
from .fields import FieldsBuiltOnce


def choice_list(choices, **kwargs):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), **kwargs)


def percent(**kwargs):
    return serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False, **kwargs)


class PublicDetailSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Renders the public facts of one kind (a dict made by ``public.properties``)."""

    class Meta:
        fields = ()

    def to_representation(self, instance):
        return super().to_representation(instance or {})


def _public_detail_meta(model, kind):
    fields = public.PUBLIC_DETAIL_FIELDS[kind]
    return type("Meta", (), {"model": model, "fields": fields, "read_only_fields": fields})


class PublicDetentionSerializer(PublicDetailSerializer):
    detained_groups = choice_list(DetainedGroup.choices, read_only=True)
    charges = serializers.ChoiceField(Charges.choices, read_only=True)

    Meta = _public_detail_meta(Detention, IncidentKind.DETENTION)


class PublicDeniedAccessSerializer(PublicDetailSerializer):
    methods = choice_list(DenialMethod.choices, read_only=True)

    Meta = _public_detail_meta(DeniedAccess, IncidentKind.DENIED_ACCESS)


class PublicInternetBlockageSerializer(PublicDetailSerializer):
    services = choice_list(InternetService.choices, read_only=True)

    Meta = _public_detail_meta(InternetBlockage, IncidentKind.INTERNET_BLOCKAGE)


PUBLIC_DETAIL_SERIALIZERS = {
    IncidentKind.DETENTION: PublicDetentionSerializer,
    IncidentKind.DENIED_ACCESS: PublicDeniedAccessSerializer,
    IncidentKind.INTERNET_BLOCKAGE: PublicInternetBlockageSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="PublicDetails",
        serializers=list(PUBLIC_DETAIL_SERIALIZERS.values()),
        resource_type_field_name=None,
    )
)
class PublicDetailsField(serializers.Field):
    """The kind's public details, already rendered; null for kinds without details."""

    def to_representation(self, value):
        return value


class PublicAttachmentSerializer(FieldsBuiltOnce, serializers.Serializer):
    url = serializers.URLField(read_only=True, help_text=_("Where the file can be downloaded."))
    kind = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text=_("In bytes."))


class PublicMeasurementSerializer(FieldsBuiltOnce, serializers.Serializer):
    """An OONI measurement a moderator attached to a blockage report as evidence (OONI's public data)."""

    measurement_uid = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True, help_text=_("The measurement's page on OONI Explorer."))
    test_name = serializers.CharField(read_only=True, help_text=_("OONI's test, e.g. web_connectivity, whatsapp."))
    probe_cc = serializers.CharField(read_only=True, help_text=_("Country of the measurement (ISO 3166-1)."))
    probe_asn = serializers.CharField(read_only=True, help_text=_("Network of the measurement, e.g. AS9198."))
    probe_network_name = serializers.CharField(read_only=True, allow_null=True)
    input = serializers.CharField(read_only=True, allow_null=True, help_text=_("The site or app tested."))
    measurement_start_time = serializers.DateTimeField(read_only=True)
    anomaly = serializers.BooleanField(read_only=True)
    confirmed = serializers.BooleanField(read_only=True, help_text=_("OONI confirmed the blocking."))
    failure = serializers.BooleanField(read_only=True, help_text=_("The measurement itself failed."))


class LocationPrecision(serializers.ChoiceField):
    def __init__(self, **kwargs):
        choices = [
            (public.Placement.EXACT, _("The reported point.")),
            (public.Placement.COARSENED, _("Coarsened to about 10 km to protect people there.")),
            (public.Placement.REGION, _("The centre of the region.")),
            (public.Placement.NONE, _("No location.")),
        ]
        super().__init__(choices, **kwargs)


class PublicIncidentSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A published incident as the public sees it (the same fields as the GeoJSON export)."""

    reference = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True, help_text=_("The incident's public page."))
    election = serializers.SlugField(read_only=True, help_text=_("The election's slug."))
    kind = serializers.ChoiceField(IncidentKind.choices, read_only=True)
    kind_label = serializers.CharField(read_only=True, help_text=_("The kind in the request's language."))
    region_code = serializers.CharField(read_only=True, allow_null=True)
    region = serializers.CharField(read_only=True, allow_null=True, help_text=_("The region's name."))
    polling_station = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("The polling station's number.")
    )
    occurred_at = serializers.DateTimeField(read_only=True, help_text=_("When it happened, in UTC."))
    occurred_at_local = serializers.DateTimeField(
        read_only=True, help_text=_("When it happened, in the election's time zone.")
    )
    occurred_precision = serializers.ChoiceField(DatePrecision.choices, read_only=True)
    verification = serializers.ChoiceField(Verification.choices, read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    location_precision = LocationPrecision(read_only=True)
    corroborating_reports = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Other reports found to tell of the same event.")
    )
    public_summary = serializers.CharField(read_only=True, help_text=_("Written by a moderator."))
    details = PublicDetailsField(
        read_only=True, allow_null=True, help_text=_("The public details of the kind; null for other kinds.")
    )
    ooni_measurement_count = serializers.IntegerField(
        read_only=True, help_text=_("OONI measurements attached as evidence of a blockage (0 for other kinds).")
    )
    ooni_measurements = PublicMeasurementSerializer(many=True, read_only=True)

    def base_url(self):
        request = self.context.get("request")
        return request.build_absolute_uri("/").rstrip("/") if request is not None else ""

    def to_representation(self, instance):
        if not isinstance(instance, public.PublicIncident):
            raise TypeError("Public serializers render public.PublicIncident shapes only.")
        data = public.properties(instance, base_url=self.base_url())
        data["latitude"] = float(instance.latitude) if instance.latitude is not None else None
        data["longitude"] = float(instance.longitude) if instance.longitude is not None else None
        detail_serializer = self.detail_serializer(instance.kind)
        data["details"] = detail_serializer.to_representation(data["details"]) if detail_serializer else None
        return super().to_representation(data)

    def detail_serializer(self, kind):
        """One serializer per kind for a whole list (building a ModelSerializer's fields is slow)."""
        serializers_by_kind = self.__dict__.setdefault("_detail_serializers", {})
        if kind not in serializers_by_kind:
            serializer_class = PUBLIC_DETAIL_SERIALIZERS.get(kind)
            serializers_by_kind[kind] = serializer_class() if serializer_class else None
        return serializers_by_kind[kind]


class PublicIncidentDetailSerializer(PublicIncidentSerializer):
    """One published incident, with the files a moderator made public."""

    attachments = PublicAttachmentSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        base_url = self.base_url()
        data["attachments"] = [
            {"url": base_url + item.url, "kind": item.kind, "content_type": item.content_type, "size": item.size}
            for item in instance.attachments
        ]
        return data


# Reference data ---------------------------------------------------------------------------------------------------


class TranslatedNameSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language (English if missing)."))


class ElectionSerializer(TranslatedNameSerializer):
    threshold_percent = percent(read_only=True, allow_null=True)

    class Meta:
        model = Election
        fields = [
            "slug",
            "name",
            "name_en",
            "name_ru",
            "name_kk",
            "kind",
            "country",
            "election_day",
            "time_zone",
            "seats_total",
            "threshold_percent",
            "is_current",
        ]
        read_only_fields = fields


class PartyResultSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="party.short_name", read_only=True, help_text=_("The party's short name."))
    party_name = serializers.CharField(source="party.name", read_only=True)
    share = percent(read_only=True, allow_null=True, help_text=_("Share of valid votes, in percent."))

    class Meta:
        model = PartyResult
        fields = ["party", "party_name", "votes", "share", "seats"]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    """An official result as the election commission published it; turnout is derived."""

    turnout = percent(read_only=True, allow_null=True, help_text=_("In percent."))

    class Meta:
        model = OfficialResult
        fields = [
            "stage",
            "registered_voters",
            "ballots_cast",
            "valid_votes",
            "invalid_votes",
            "turnout",
            "source",
            "source_url",
            "as_of",
        ]
        read_only_fields = fields


class ResultWithPartiesSerializer(ResultSerializer):
    parties = PartyResultSerializer(source="party_results", many=True, read_only=True)

    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "parties"]
        read_only_fields = fields


class ElectionDetailSerializer(ElectionSerializer):
    national_result = ResultWithPartiesSerializer(read_only=True, allow_null=True)

    class Meta(ElectionSerializer.Meta):
        fields = [*ElectionSerializer.Meta.fields, "national_result"]
        read_only_fields = fields


class IncidentCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True)
    by_kind = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text=_("Published incidents of each kind there is.")
    )


class RegionSerializer(serializers.Serializer):
    """A region with the election's official result there and its published incidents (sub-regions included)."""

    code = serializers.CharField(source="region.code", read_only=True)
    name = serializers.CharField(source="region.name", read_only=True)
    name_en = serializers.CharField(source="region.name_en", read_only=True)
    name_ru = serializers.CharField(source="region.name_ru", read_only=True)
    name_kk = serializers.CharField(source="region.name_kk", read_only=True)
    level = serializers.CharField(source="region.level", read_only=True)
    parent = serializers.SerializerMethodField(help_text=_("The code of the region above, if any."))
    country = serializers.CharField(source="region.country", read_only=True)
    centre = serializers.CharField(source="region.centre", read_only=True)
    latitude = serializers.FloatField(source="region.latitude", read_only=True, allow_null=True)
    longitude = serializers.FloatField(source="region.longitude", read_only=True, allow_null=True)
    result = ResultSerializer(read_only=True, allow_null=True)
    turnout_gap = percent(
        read_only=True, allow_null=True, help_text=_("Turnout minus the national turnout, in percentage points.")
    )
    incidents = serializers.SerializerMethodField()
    incidents_per_100k_voters = percent(source="per_100k", read_only=True, allow_null=True)

    def get_parent(self, summary) -> str | None:
        return self.context.get("region_codes", {}).get(summary.region.parent_id)

    @extend_schema_field(IncidentCountsSerializer)
    def get_incidents(self, summary):
        return {"total": summary.incidents, "by_kind": {str(kind): count for kind, count in summary.counts.items()}}


class RegionDetailSerializer(RegionSerializer):
    """One region: its result with party votes, and the codes of the regions below it."""

    result = ResultWithPartiesSerializer(read_only=True, allow_null=True)
    sub_regions = serializers.ListField(child=serializers.CharField(), read_only=True)


class PartySerializer(TranslatedNameSerializer):
    election = serializers.SlugField(source="election.slug", read_only=True)

    class Meta:
        model = Party
        fields = ["election", "short_name", "name", "name_en", "name_ru", "name_kk", "ballot_number", "colour"]
        read_only_fields = fields


class PollingStationSerializer(serializers.ModelSerializer):
    election = serializers.SlugField(source="election.slug", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True, help_text=_("The region's code."))
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = PollingStation
        fields = [
            "election",
            "region",
            "number",
            "name",
            "address",
            "latitude",
            "longitude",
            "registered_voters",
            "is_demo",
        ]
        read_only_fields = fields
