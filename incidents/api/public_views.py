"""Public, read-only endpoints: no login, the same truth as the public pages.

Incidents come from ``selectors.incidents_public()`` filtered by the pages'
``PublicIncidentFilter`` and are shaped by ``incidents.public.shape``; the CSV and
GeoJSON renderings stream the same rows as the exports of the pages.
"""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, permissions, renderers, serializers
from rest_framework.response import Response

from .. import selectors, tabular
from ..models import Election, Party, PollingStation, Region
from ..public import shape as public
from ..public.exports import blockages_export_filename, geojson_lines, incidents_export_filename, stop_lines
from ..public.filters import ElectionChoiceForm, PartyFilter, PollingStationFilter, PublicIncidentFilter
from . import public_serializers as shapes
from .errors import ErrorSerializer, Gone
from .pagination import PageNumberPagination, PublicIncidentPagination

ELECTION_PARAMETER = OpenApiParameter(
    "election", OpenApiTypes.STR, description="The election's slug; the current election when left out."
)


class PublicView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]


def election_asked(request):
    """The election chosen by ``?election=`` (the current one by default), or a 400 in the API's format."""
    form = ElectionChoiceForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError({"election": form.errors["election"]})
    return form.cleaned_data["election"]


# Elections ------------------------------------------------------------------------------------------------------


@extend_schema(tags=["public"], summary="Elections, the current one first")
class ElectionList(PublicView, generics.ListAPIView):
    serializer_class = shapes.ElectionSerializer
    queryset = Election.objects.order_by("-is_current", "-election_day")
    filter_backends = []


@extend_schema(tags=["public"], summary="One election with its national result and party votes")
class ElectionDetail(PublicView):
    serializer_class = shapes.ElectionDetailSerializer

    def get(self, request, slug):
        election = Election.objects.filter(slug=slug).first()
        if election is None:
            raise_not_found(_("There is no election “%(slug)s”.") % {"slug": slug})
        election.national_result = selectors.official_result(election)
        return Response(self.get_serializer(election).data)


def raise_not_found(message):
    raise exceptions.NotFound(message)


# Regions --------------------------------------------------------------------------------------------------------


@extend_schema(
    tags=["public"],
    summary="Regions with the election's official results and published incidents",
    parameters=[ELECTION_PARAMETER],
)
class RegionList(PublicView):
    serializer_class = shapes.RegionSerializer
    queryset = Region.objects.all()  # the model listed; the answer is built from selectors.region_summaries
    filter_backends = []
    pagination_class = None

    @extend_schema(operation_id="regions_list", responses=shapes.RegionSerializer(many=True))
    def get(self, request):
        election = election_asked(request)
        summaries = selectors.region_summaries(election, every_level=True)
        summaries.sort(key=lambda summary: summary.region.code)
        codes = {summary.region.pk: summary.region.code for summary in summaries}
        serializer = self.get_serializer(
            summaries, many=True, context={**self.get_serializer_context(), "region_codes": codes}
        )
        return Response(serializer.data)


@extend_schema(
    tags=["public"],
    summary="One region: its official result with party votes and its published incidents",
    parameters=[ELECTION_PARAMETER],
)
class RegionDetail(PublicView):
    serializer_class = shapes.RegionDetailSerializer

    def get(self, request, code):
        election = election_asked(request)
        region = Region.objects.select_related("parent").filter(code=code.upper()).first()
        if region is None:
            raise_not_found(_("There is no region with the code %(code)s.") % {"code": code})
        overview = selectors.region_overview(election, region, latest=0)
        summary = overview.summary
        summary.sub_regions = [sub.region.code for sub in overview.sub_regions]
        codes = {region.parent_id: region.parent.code} if region.parent_id else {}
        context = {**self.get_serializer_context(), "region_codes": codes}
        return Response(self.get_serializer(summary, context=context).data)


# Polling stations and parties -----------------------------------------------------------------------------------


@extend_schema(tags=["public"], summary="Polling stations of an election")
class PollingStationList(PublicView, generics.ListAPIView):
    serializer_class = shapes.PollingStationSerializer
    queryset = PollingStation.objects.select_related("election", "region").order_by("number", "pk")
    filter_backends = [DjangoFilterBackend]
    filterset_class = PollingStationFilter
    pagination_class = PageNumberPagination


@extend_schema(tags=["public"], summary="Parties on the ballot of an election")
class PartyList(PublicView, generics.ListAPIView):
    serializer_class = shapes.PartySerializer
    queryset = Party.objects.select_related("election").order_by("ballot_number", "short_name")
    filter_backends = [DjangoFilterBackend]
    filterset_class = PartyFilter


# Incidents ------------------------------------------------------------------------------------------------------


class IncidentFilterMixin:
    filter_backends = [DjangoFilterBackend]
    filterset_class = PublicIncidentFilter

    def get_queryset(self):
        return selectors.incidents_public()


@extend_schema(
    tags=["public"],
    summary="Published incidents",
    description=(
        "Filtered as the public incident list is (the current election unless `election` is given), "
        "paged by cursor: follow `next` to the end for a stable walk through a large set."
    ),
)
class IncidentList(IncidentFilterMixin, PublicView, generics.ListAPIView):
    serializer_class = shapes.PublicIncidentSerializer
    pagination_class = PublicIncidentPagination

    def list(self, request, *args, **kwargs):
        filtered = self.filter_queryset(self.get_queryset())
        paginator = self.paginator
        ordering = paginator.get_ordering(request, filtered, self)
        keys = {name.lstrip("-") for name in ordering}
        # Page through the ids alone (an index scan), then load the rows of one page with everything joined.
        rows = paginator.paginate_queryset(filtered.values("pk", *keys), request, view=self)
        incidents = selectors.incidents_public_page([row["pk"] for row in rows], readable=False)
        return paginator.get_paginated_response(self.get_serializer(incidents, many=True).data)


@extend_schema(
    tags=["public"],
    summary="One published incident",
    responses={
        200: shapes.PublicIncidentDetailSerializer,
        410: OpenApiResponse(
            ErrorSerializer,
            description="The incident was retracted: `error.retraction_notice` says why (code `retracted`).",
        ),
    },
)
class IncidentDetail(PublicView):
    serializer_class = shapes.PublicIncidentDetailSerializer

    def get(self, request, reference):
        incident = selectors.incident_public(reference.upper())
        if incident is None:
            raise_not_found(
                _("There is no published incident with the reference %(reference)s.") % {"reference": reference}
            )
        if getattr(incident, "is_retracted", False):
            raise Gone(
                _("Incident %(reference)s was retracted.") % {"reference": incident.reference},
                code="retracted",
                extra={"retraction_notice": incident.retraction_notice},
            )
        return Response(self.get_serializer(incident).data)


class PassThroughRenderer(renderers.BaseRenderer):
    """Names a media type an export streams; the view writes the bytes itself."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CsvRenderer(PassThroughRenderer):
    media_type = "text/csv"
    format = "csv"


class GeoJsonRenderer(PassThroughRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class IncidentExport(IncidentFilterMixin, PublicView):
    """Streams every matching incident; no paging. Errors are answered in JSON whatever was asked for."""

    pagination_class = None

    def handle_exception(self, exc):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = self.request.accepted_renderer.media_type
        return super().handle_exception(exc)

    def filterset(self):
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, self.get_queryset(), self)
        if not filterset.is_valid():
            backend.filter_queryset(self.request, self.get_queryset(), self)  # raises the 400
        return filterset

    def stream(self, lines, content_type, filterset, extension):
        response = StreamingHttpResponse(tabular.started(lines), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{incidents_export_filename(filterset, extension)}"'
        return response


@extend_schema(
    tags=["public"],
    summary="Published incidents as CSV",
    description=(
        "The same rows and columns as the CSV export of the public pages, streamed; every matching incident, "
        "no paging. Cells that a spreadsheet would run as a formula are prefixed with an apostrophe."
    ),
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class IncidentCsv(IncidentExport):
    renderer_classes = [CsvRenderer, renderers.JSONRenderer]

    def get(self, request):
        filterset = self.filterset()
        base_url = request.build_absolute_uri("/").rstrip("/")
        rows = (public.csv_row(shape, base_url=base_url) for shape in selectors.incidents_public_shapes(filterset.qs))
        lines = tabular.csv_lines(public.csv_header(), rows)
        return self.stream(lines, "text/csv; charset=utf-8", filterset, "csv")


@extend_schema(
    tags=["public"],
    summary="Published internet blockages in the columns of Access Now's STOP dataset (CSV)",
    description=(
        "One row per published internet blockage matching the filters, streamed: the 36 columns of Access Now's "
        "Shutdown Tracker Optimization Project (start_date … region) in STOP's order, then Observer's own "
        "(observer_reference, observer_url, observer_verification, started_at_utc, ended_at_utc, "
        "ooni_measurement_count, ooni_measurements, measurement_url). Dates are ISO 8601 in the election's "
        "time zone; docs/blockages.md maps every column."
    ),
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class IncidentStopCsv(IncidentExport):
    renderer_classes = [CsvRenderer, renderers.JSONRenderer]

    def get(self, request):
        filterset = self.filterset()
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = StreamingHttpResponse(stop_lines(filterset, base_url), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{blockages_export_filename(filterset)}"'
        return response


GEOJSON_SCHEMA = inline_serializer(
    "IncidentFeatureCollection",
    {
        "type": serializers.ChoiceField(["FeatureCollection"]),
        "features": inline_serializer(
            "IncidentFeature",
            {
                "type": serializers.ChoiceField(["Feature"]),
                "id": serializers.CharField(help_text="The incident's reference."),
                "geometry": inline_serializer(
                    "PointGeometry",
                    {
                        "type": serializers.ChoiceField(["Point"]),
                        "coordinates": serializers.ListField(
                            child=serializers.FloatField(),
                            min_length=2,
                            max_length=2,
                            help_text="[longitude, latitude]",
                        ),
                    },
                    allow_null=True,
                ),
                "properties": inline_serializer(
                    "IncidentFeatureProperties",
                    {
                        **{
                            name: field
                            for name, field in shapes.PublicIncidentSerializer().get_fields().items()
                            if name not in ("latitude", "longitude", "details")
                        },
                        "details": serializers.DictField(
                            help_text="The public details of the kind (empty for other kinds): the fields of "
                            "PublicDetention, PublicDeniedAccess or PublicInternetBlockage."
                        ),
                    },
                ),
            },
            many=True,
        ),
    },
)


@extend_schema(
    tags=["public"],
    summary="Published incidents as GeoJSON",
    description=(
        "A FeatureCollection of every matching incident, streamed, as the GeoJSON export of the public pages. "
        "`geometry` is null for an incident with no public point."
    ),
    responses={(200, "application/geo+json"): GEOJSON_SCHEMA},
)
class IncidentGeoJson(IncidentExport):
    renderer_classes = [GeoJsonRenderer, renderers.JSONRenderer]

    def get(self, request):
        filterset = self.filterset()
        base_url = request.build_absolute_uri("/").rstrip("/")
        lines = geojson_lines(selectors.incidents_public_shapes(filterset.qs), base_url)
        return self.stream(lines, "application/geo+json", filterset, "geojson")
