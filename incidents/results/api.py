"""Public API of the PVT: the estimate beside the official result, and the copies that count (docs/pvt.md)."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.response import Response

from .. import tabular
from ..api.public_views import ELECTION_PARAMETER, CsvRenderer, PublicView, _election
from . import selectors, shape


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
        election = _election(request)
        overview = selectors.pvt_overview(election)
        differences = selectors.station_differences(election) if election else []
        return Response(shape.overview_json(overview, differences))


class _Csv(PublicView):
    renderer_classes = [CsvRenderer, renderers.JSONRenderer]

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
        election = _election(request)
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
        election = _election(request)
        if election is None:
            return self.stream(["station"], [], "protocol-copies.csv")
        header, rows = shape.copies_header_and_rows(election, selectors.counted_copies(election))
        return self.stream(header, rows, f"protocol-copies-{election.slug}.csv")
