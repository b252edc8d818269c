"""The forensics figures in the API: JSON of every figure, and each table as CSV (docs/forensics.md).

``/api/v1/elections/<slug>/forensics/`` and ``…/forensics/<table>.csv``, with
``?region=<code>`` and ``?party=<id>``; the same figures as the pages
(``figures``), public, no login.
"""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, permissions, renderers, serializers
from rest_framework.response import Response

from .. import tabular
from ..api.errors import ErrorSerializer
from ..api.public_views import CsvRenderer
from ..models import Election, Region
from . import figures
from .selectors import station_results

PARAMETERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="A region's code: its stations (and those below it)."),
    OpenApiParameter("party", OpenApiTypes.INT, description="A party's id; the party with most votes by default."),
]

WHOLE_PERCENT = inline_serializer(
    "ForensicsWholePercentTest",
    {
        "stations": serializers.IntegerField(
            help_text="Stations tested (100 or more in the denominator, not 0 or 100%)."
        ),
        "observed": serializers.IntegerField(help_text="Stations at a whole percentage."),
        "expected": serializers.FloatField(help_text="Expected by chance: Σ 99/(n − 1)."),
        "excess": serializers.FloatField(),
        "sd": serializers.FloatField(),
        "p_value": serializers.FloatField(help_text="P(S ≥ observed), S a sum of independent Bernoulli variables."),
        "method": serializers.ChoiceField(["exact", "normal"]),
        "signal": serializers.BooleanField(help_text="p below 0.05."),
    },
)
HISTOGRAM = inline_serializer(
    "ForensicsHistogram",
    {
        "bin_width": serializers.FloatField(),
        "centres": serializers.ListField(child=serializers.FloatField(), help_text="Each bin's centre, in percent."),
        "stations": serializers.ListField(child=serializers.IntegerField()),
    },
)
SUMMARY = inline_serializer(
    "Forensics",
    {
        "election": serializers.SlugField(),
        "region": serializers.CharField(allow_null=True),
        "stations": serializers.IntegerField(),
        "source": serializers.CharField(),
        "party": inline_serializer(
            "ForensicsParty",
            {"short_name": serializers.CharField(), "ballot_number": serializers.IntegerField(allow_null=True)},
            allow_null=True,
        ),
        "parties": inline_serializer(
            "ForensicsPartyVotes",
            {
                "short_name": serializers.CharField(),
                "ballot_number": serializers.IntegerField(allow_null=True),
                "votes": serializers.IntegerField(
                    help_text="In the published result of the place (national or the region's), else summed over "
                    "its stations; the party with most is analysed by default."
                ),
            },
            many=True,
        ),
        "registered_voters": serializers.IntegerField(),
        "ballots_cast": serializers.IntegerField(),
        "fingerprint": inline_serializer(
            "ForensicsFingerprint",
            {
                "bin_width": serializers.FloatField(),
                "weight": serializers.CharField(),
                "total": serializers.FloatField(),
                "corner": serializers.FloatField(),
                "corner_fraction": serializers.FloatField(),
                "counts": serializers.ListField(
                    child=serializers.ListField(child=serializers.IntegerField()),
                    help_text="counts[i][j]: voters at stations with turnout in bin i and share in bin j.",
                ),
            },
        ),
        "turnout_histogram": HISTOGRAM,
        "share_histogram": HISTOGRAM,
        "whole_percent": inline_serializer("ForensicsWholePercent", {"turnout": WHOLE_PERCENT, "share": WHOLE_PERCENT}),
        "second_digit": inline_serializer(
            "ForensicsSecondDigit",
            {
                "counts_used": serializers.IntegerField(),
                "enough": serializers.BooleanField(),
                "chi2": serializers.FloatField(allow_null=True),
                "degrees_of_freedom": serializers.IntegerField(),
                "p_value": serializers.FloatField(allow_null=True),
                "mean": serializers.FloatField(allow_null=True),
                "expected_mean": serializers.FloatField(),
                "signal": serializers.BooleanField(),
                "digits": inline_serializer(
                    "ForensicsDigit",
                    {
                        "digit": serializers.IntegerField(),
                        "observed": serializers.IntegerField(),
                        "expected": serializers.FloatField(),
                    },
                    many=True,
                ),
            },
        ),
        "correlation": inline_serializer(
            "ForensicsCorrelation",
            {"stations": serializers.IntegerField(), "pearson": serializers.FloatField(allow_null=True)},
        ),
        "extremes": inline_serializer(
            "ForensicsExtremes",
            {
                "threshold": serializers.FloatField(),
                "count": serializers.IntegerField(),
                "stations": serializers.ListField(child=serializers.DictField()),
            },
        ),
        "explanations": serializers.DictField(
            child=serializers.DictField(child=serializers.CharField()),
            help_text="For each analysis: its title, what it shows and what it cannot show.",
        ),
    },
)


class ForensicsView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def read(self, slug):
        election = Election.objects.filter(slug=slug).first()
        if election is None:
            raise exceptions.NotFound(_("There is no election “%(slug)s”.") % {"slug": slug})
        region = None
        code = self.request.query_params.get("region", "")
        if code:
            region = None if "\x00" in code else Region.objects.filter(code=code.upper()[:16]).first()
            if region is None:
                raise exceptions.NotFound(_("There is no region with the code %(code)s.") % {"code": code[:16]})
        party = self.request.query_params.get("party", "")
        if party and (not party.isdigit() or len(party) > 9):
            raise serializers.ValidationError({"party": [_("A party's id: a whole number.")]})
        data = station_results(election, region=region, party_id=int(party) if party else None)
        if data is None:
            raise exceptions.NotFound(_("This election has no station results with their counts."))
        if data.party is None and party:
            raise exceptions.NotFound(_("No party with this number is on the ballot of this election."))
        analysis = figures.analysis_of(data)
        regions = {item.pk: item for item in Region.objects.filter(pk__in=set(data.region_ids.tolist()))}
        return election, region, data, analysis, regions


@extend_schema(
    tags=["public"],
    summary="Election forensics of station results",
    description=(
        "Every figure of the forensics page: the fingerprint, turnout and share histograms, the whole-percentage "
        "and second-digit tests, the turnout–share correlation and the stations at the extremes, each with what "
        "it can and cannot show. A statistical signal, not proof of fraud."
    ),
    parameters=PARAMETERS,
    responses={200: SUMMARY, 400: ErrorSerializer, 404: ErrorSerializer},
)
class ForensicsSummary(ForensicsView):
    def get(self, request, slug):
        election, region, data, analysis, regions = self.read(slug)
        return Response(figures.summary(election, region, data, analysis, regions))


@extend_schema(
    tags=["public"],
    summary="One table behind the forensics page, as CSV",
    description="Tables: " + ", ".join(figures.TABLES) + ". Streamed; the first line names the columns.",
    parameters=PARAMETERS,
    responses={(200, "text/csv"): OpenApiTypes.STR, 400: ErrorSerializer, 404: ErrorSerializer},
)
class ForensicsCsv(ForensicsView):
    renderer_classes = [CsvRenderer, renderers.JSONRenderer]

    def handle_exception(self, exc):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = self.request.accepted_renderer.media_type
        return super().handle_exception(exc)

    def get(self, request, slug, table):
        if table not in figures.TABLES:
            raise exceptions.NotFound(
                _("There is no table %(table)s; the tables are: %(tables)s.")
                % {"table": table[:40], "tables": ", ".join(figures.TABLES)}
            )
        election, region, data, analysis, regions = self.read(slug)
        header, rows = figures.TABLES[table](data, analysis, regions)
        response = StreamingHttpResponse(tabular.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        place = f"-{region.code}" if region else ""
        response["Content-Disposition"] = f'attachment; filename="forensics-{election.slug}{place}-{table}.csv"'
        return response
