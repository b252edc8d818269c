"""The API's URLs, included at /api/ (see docs/api.md).

/api/v1/…     the endpoints, versioned: a change that breaks clients gets /api/v2/
/api/schema/  the OpenAPI 3 description
/api/docs/    its documentation pages (Swagger UI; Redoc at /api/docs/redoc/)
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from incidents.api import docs, errors, moderation_views, public_views, report_views
from incidents.results import api as results_api
from incidents.results import pvt_api

REFERENCE = "<str:reference>"

v1 = [
    path("elections/", public_views.ElectionList.as_view(), name="api-election-list"),
    path("elections/<slug:slug>/", public_views.ElectionDetail.as_view(), name="api-election-detail"),
    path("elections/<slug:slug>/forensics/", results_api.ForensicsSummary.as_view(), name="api-forensics"),
    path(
        "elections/<slug:slug>/forensics/<str:table>.csv", results_api.ForensicsCsv.as_view(), name="api-forensics-csv"
    ),
    path("regions/", public_views.RegionList.as_view(), name="api-region-list"),
    path("regions/<str:code>/", public_views.RegionDetail.as_view(), name="api-region-detail"),
    path("polling-stations/", public_views.PollingStationList.as_view(), name="api-polling-station-list"),
    path("parties/", public_views.PartyList.as_view(), name="api-party-list"),
    path("incidents/", public_views.IncidentList.as_view(), name="api-incident-list"),
    path("incidents.csv", public_views.IncidentCsv.as_view(), name="api-incident-csv"),
    path("incidents-stop.csv", public_views.IncidentStopCsv.as_view(), name="api-incident-stop-csv"),
    path("incidents.geojson", public_views.IncidentGeoJson.as_view(), name="api-incident-geojson"),
    path(f"incidents/{REFERENCE}/", public_views.IncidentDetail.as_view(), name="api-incident-detail"),
    path("pvt/", pvt_api.PvtEstimate.as_view(), name="api-pvt-estimate"),
    path("pvt.csv", pvt_api.PvtEstimateCsv.as_view(), name="api-pvt-estimate-csv"),
    path("protocol-copies.csv", pvt_api.ProtocolCopiesCsv.as_view(), name="api-protocol-copies-csv"),
    path("protocol-copies/", pvt_api.ProtocolCopyFile.as_view(), name="api-protocol-copy-file"),
    path("reports/", report_views.ReportList.as_view(), name="api-report-list"),
    path(f"reports/{REFERENCE}/", report_views.ReportDetail.as_view(), name="api-report-detail"),
    path(f"reports/{REFERENCE}/answer/", report_views.ReportAnswer.as_view(), name="api-report-answer"),
    path("moderation/incidents/", moderation_views.QueueList.as_view(), name="api-moderation-list"),
    path(f"moderation/incidents/{REFERENCE}/", moderation_views.IncidentDetail.as_view(), name="api-moderation-detail"),
    path(
        f"moderation/incidents/{REFERENCE}/transition/",
        moderation_views.IncidentTransition.as_view(),
        name="api-moderation-transition",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("docs/redoc/", docs.RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"^", errors.not_found),
]
