"""Public URLs of the counting pages (included from the public URLs): the forensics of station
results, the PVT estimate beside the official result, and the observer's copy of a protocol."""

from django.urls import path

from . import forensics_views, views

urlpatterns = [
    path("forensics/", forensics_views.current_election_forensics, name="forensics"),
    path("e/<slug:election>/forensics/", forensics_views.election_forensics, name="election-forensics"),
    path("e/<slug:election>/forensics/<str:code>/", forensics_views.region_forensics, name="region-forensics"),
    path("pvt/", views.pvt_page, name="pvt"),
    path("e/<slug:election>/pvt/", views.pvt_page, name="election-pvt"),
    path("counting/protocol/", views.protocol_copy_new, name="protocol-copy-new"),
    path("counting/photos/<int:pk>/", views.protocol_photo, name="protocol-photo"),
]
