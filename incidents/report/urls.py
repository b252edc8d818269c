"""The observer's pages, included at /report/ (URL names start with ``report-``)."""

from django.urls import path

from . import offline, views

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("new/", views.report_choose, name="report-choose"),
    path("new/<slug:kind>/", views.report_file, name="report-file"),
    path("stations/", views.report_stations, name="report-stations"),
    path("api-tokens/", views.report_api_tokens, name="report-api-tokens"),
    # The offline app (incidents/report/offline.py), before the report pages' catch-all.
    path("sw.js", offline.service_worker, name="report-service-worker"),
    path("manifest.webmanifest", offline.manifest, name="report-manifest"),
    path("offline/icon-<int:size>.png", offline.icon, name="report-offline-icon"),
    path("offline/setup.json", offline.setup, name="report-offline-setup"),
    path("outbox/", offline.outbox, name="report-outbox"),
    path("<str:reference>/", views.report_detail, name="report-detail"),
    path("<str:reference>/filed/", views.report_filed, name="report-filed"),
    path("<str:reference>/edit/", views.report_edit, name="report-edit"),
    path("<str:reference>/answer/", views.report_answer, name="report-answer"),
]
