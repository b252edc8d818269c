from django.urls import include, path

from .. import views
from . import exports
from . import views as public_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("incidents/", public_views.incident_list, name="incident-list"),
    path("incidents/export.csv", exports.incident_export_csv, name="incident-export-csv"),
    path("incidents/export.geojson", exports.incident_export_geojson, name="incident-export-geojson"),
    path("incidents/feed.atom", exports.incident_feed, name="incident-feed"),
    path("incidents/<str:reference>/", public_views.incident_detail, name="incident-detail"),
    path("regions/", public_views.region_list, name="region-list"),
    path("regions/map.geojson", public_views.region_map_data, name="region-map-data"),
    path("regions/<str:code>/", public_views.region_detail, name="region-detail"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment-file"),
    path("", include("incidents.results.urls")),
]
