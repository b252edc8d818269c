"""Public API of the PVT: the estimate beside the official result, and the copies that count (docs/pvt.md)."""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.response import Response

from .. import selectors as site_selectors
from .. import services, tabular
from ..api import idempotency
from ..api.errors import Conflict
from ..api.public_views import ELECTION_PARAMETER, CsvRenderer, PublicView, election_asked
from ..api.report_views import IDEMPOTENCY_PARAMETER, ObserverView
from ..models import Party, PollingStation
from ..services.protocols import MAX_FIGURE
from . import pvt_selectors as selectors
from . import shape


def figure_fields():
    return {
        "figure": serializers.CharField(help_text="`turnout` or the party's short name."),
        "label": serializers.CharField(),
        "estimate": serializers.FloatField(allow_null=True, help_text="A share (0–1); null: not enough data yet."),
        "standard_error": serializers.FloatField(allow_null=True),
        "low": serializers.FloatField(allow_null=True, help_text="Lower end of the 95% interval."),
        "high": serializers.FloatField(allow_null=True, help_text="Upper end of the 95% interval."),
        "reports": serializers.IntegerField(help_text="Sampled stations whose verified copy counts."),
        "short_strata": serializers.ListField(child=serializers.CharField(), help_text="Strata under two reports."),
        "official": serializers.FloatField(allow_null=True, help_text="The official share, when published."),
        "verdict": serializers.ChoiceField(
            [selectors.INSIDE, selectors.OUTSIDE, selectors.NO_ESTIMATE, selectors.NO_OFFICIAL]
        ),
    }


def area_fields():
    return {
        "region": inline_serializer(
            "PvtRegion", {"code": serializers.CharField(), "name": serializers.CharField()}, allow_null=True
        ),
        "sampled_stations": serializers.IntegerField(),
        "reported_stations": serializers.IntegerField(),
        "figures": inline_serializer("PvtFigure", figure_fields(), many=True),
    }


#: one component, used for the country and for each region
AREA = inline_serializer("PvtArea", area_fields()).__class__

OVERVIEW = inline_serializer(
    "PvtOverview",
    {
        "election": serializers.CharField(allow_null=True),
        "sample": inline_serializer(
            "PvtSample",
            {
                "fingerprint": serializers.CharField(help_text="SHA-256 of the seed and the sorted station numbers."),
                "drawn_at": serializers.DateTimeField(),
                "strata": serializers.CharField(),
                "wanted_margin": serializers.FloatField(),
                "published": serializers.BooleanField(),
                "seed": serializers.CharField(allow_null=True, help_text="Null until the list is published."),
                "is_demo": serializers.BooleanField(),
            },
            allow_null=True,
        ),
        "national": AREA(allow_null=True),
        "regions": AREA(many=True),
        "station_differences": inline_serializer(
            "PvtStationDifference",
            {
                "station": serializers.CharField(),
                "region": serializers.CharField(),
                "line": serializers.CharField(),
                "official": serializers.IntegerField(allow_null=True),
                "copied": serializers.IntegerField(allow_null=True),
            },
            many=True,
        ),
    },
)


@extend_schema(
    tags=["public"],
    summary="The PVT estimate beside the official result",
    description=(
        "National and per-region estimates (stratified ratio estimator, 95% interval; docs/pvt.md) of turnout "
        "and each party's share from the verified copies of the sampled stations, beside the official figure, "
        "and the stations whose official figures differ from a verified copy. No observer is ever named."
    ),
    parameters=[ELECTION_PARAMETER],
    responses=OVERVIEW,
)
class PvtEstimate(PublicView):
    def get(self, request):
        election = election_asked(request)
        overview = selectors.pvt_overview(election)
        differences = selectors.station_differences(election) if election else []
        return Response(shape.overview_json(overview, differences))


class _Csv(PublicView):
    """CSV when it works; errors are answered in JSON, whatever was asked for (as the incident exports)."""

    renderer_classes = [CsvRenderer, renderers.JSONRenderer]

    def handle_exception(self, exc):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = self.request.accepted_renderer.media_type
        return super().handle_exception(exc)

    def stream(self, header, rows, name):
        response = StreamingHttpResponse(tabular.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@extend_schema(
    tags=["public"],
    summary="The PVT estimate as CSV",
    description="One row per area (empty region: national) and figure, as in the JSON.",
    parameters=[ELECTION_PARAMETER],
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class PvtEstimateCsv(_Csv):
    def get(self, request):
        election = election_asked(request)
        overview = selectors.pvt_overview(election)
        slug = election.slug if election else "none"
        return self.stream(shape.COMPARISON_HEADER, shape.comparison_rows(overview), f"pvt-{slug}.csv")


@extend_schema(
    tags=["public"],
    summary="Verified protocol copies as CSV",
    description=(
        "Every copy that counts (verified, in no open conflict): station, region, when copied, each protocol "
        "line and each party's votes. Never the observer, never a photo."
    ),
    parameters=[ELECTION_PARAMETER],
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class ProtocolCopiesCsv(_Csv):
    def get(self, request):
        election = election_asked(request)
        if election is None:
            return self.stream(["station"], [], "protocol-copies.csv")
        header, rows = shape.copies_header_and_rows(election, selectors.counted_copies(election))
        return self.stream(header, rows, f"protocol-copies-{election.slug}.csv")


# Filing a copy (observers) ----------------------------------------------------------------------------------------


class ProtocolCopyCreateSerializer(serializers.Serializer):
    polling_station = serializers.CharField(max_length=32, help_text="The station's number in the current election.")
    copied_at = serializers.DateTimeField(help_text="When the signed sheet was copied.")
    lines = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_FIGURE),
        help_text='Each protocol line of the election, by its code: {"cast": 1000, …}.',
    )
    party_votes = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_FIGURE),
        help_text='Each party\'s votes, by its short name: {"Nur Otan": 600, …}.',
    )


class CheckResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    left = serializers.IntegerField()
    right = serializers.IntegerField()


class OwnCopySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    polling_station = serializers.CharField(source="polling_station.number")
    status = serializers.CharField()
    in_conflict = serializers.BooleanField()
    checks_passed = serializers.BooleanField()
    check_results = CheckResultSerializer(many=True)


@extend_schema(
    tags=["observer"],
    summary="File a copy of a polling station's result protocol",
    description=(
        "The figures of the signed protocol, for the current election: every line of its protocol by code and "
        "every party's votes by short name. The checks of docs/pvt.md run on them; their results come back with "
        "the copy (a copy that fails them is still filed, for a moderator to compare with the photo). Answers "
        "201 with the new copy, or 200 with the copy already filed by an earlier try with the same "
        "`Idempotency-Key`; 409 for the same key with other figures or a copy that can no longer change."
    ),
    parameters=[IDEMPOTENCY_PARAMETER],
    request=ProtocolCopyCreateSerializer,
    responses={201: OwnCopySerializer, 200: OwnCopySerializer},
)
class ProtocolCopyFile(ObserverView):
    serializer_class = ProtocolCopyCreateSerializer

    def post(self, request):
        election = site_selectors.election_current()
        serializer = ProtocolCopyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        station = PollingStation.objects.filter(election=election, number=data["polling_station"]).first()
        if station is None:
            raise serializers.ValidationError({"polling_station": [_("No polling station with this number.")]})
        parties = {party.short_name: party.pk for party in Party.objects.filter(election=election)}
        unknown = sorted(set(data["party_votes"]) - set(parties))
        if unknown:
            raise serializers.ValidationError(
                {"party_votes": [_("Not on this ballot: %(parties)s.") % {"parties": ", ".join(unknown)}]}
            )
        key = idempotency.key_from(request)
        try:
            filing = services.protocol_copy_file(
                observer=self.observer,
                polling_station=station,
                copied_at=data["copied_at"],
                lines=data["lines"],
                party_votes={str(parties[name]): votes for name, votes in data["party_votes"].items()},
                client_token=None if key is None else idempotency.client_token(self.observer, key),
            )
        except services.WorkflowError as error:
            raise Conflict(error.message, code="copy_locked") from error
        headers = {} if key is None else {"Idempotent-Replayed": "false" if filing.created else "true"}
        return Response(
            OwnCopySerializer(filing.copy).data,
            status=status.HTTP_201_CREATED if filing.created else status.HTTP_200_OK,
            headers=headers,
        )
