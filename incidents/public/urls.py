from django.urls import include, path

from .. import views
from . import exports
from . import views as public_views
from .elections import in_election

urlpatterns = [
    path("", public_views.home, name="home"),
    path("incidents/", public_views.incident_list, name="incident-list"),
    path("incidents/export.csv", exports.incident_export_csv, name="incident-export-csv"),
    path("incidents/export-stop.csv", exports.incident_export_stop, name="incident-export-stop"),
    path("incidents/export.geojson", exports.incident_export_geojson, name="incident-export-geojson"),
    path("incidents/feed.atom", exports.incident_feed, name="incident-feed"),
    path("incidents/<str:reference>/", public_views.incident_detail, name="incident-detail"),
    path("regions/", public_views.region_list, name="region-list"),
    path("regions/map.geojson", public_views.region_map_data, name="region-map-data"),
    path("regions/<str:code>/", public_views.region_detail, name="region-detail"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment-file"),
    path("", include("incidents.results.urls")),
    # The same pages for one election; the addresses above answer for the current one (or ``?election=``).
    path("e/<slug:election>/", in_election(public_views.home), name="election-home"),
    path("e/<slug:election>/incidents/", in_election(public_views.incident_list), name="election-incident-list"),
    path(
        "e/<slug:election>/incidents/export.csv",
        in_election(exports.incident_export_csv),
        name="election-incident-export-csv",
    ),
    path(
        "e/<slug:election>/incidents/export.geojson",
        in_election(exports.incident_export_geojson),
        name="election-incident-export-geojson",
    ),
    path("e/<slug:election>/incidents/feed.atom", in_election(exports.incident_feed), name="election-incident-feed"),
    path(
        "e/<slug:election>/incidents/<str:reference>/",
        in_election(public_views.incident_detail),
        name="election-incident-detail",
    ),
    path("e/<slug:election>/regions/", in_election(public_views.region_list), name="election-region-list"),
    path(
        "e/<slug:election>/regions/map.geojson",
        in_election(public_views.region_map_data),
        name="election-region-map-data",
    ),
    path(
        "e/<slug:election>/regions/<str:code>/", in_election(public_views.region_detail), name="election-region-detail"
    ),
]
