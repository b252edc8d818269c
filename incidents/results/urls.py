"""Public URLs of the counting pages (included from the public URLs)."""

from django.urls import path

from . import forensics_views

urlpatterns = [
    path("forensics/", forensics_views.current_election_forensics, name="forensics"),
    path("e/<slug:election>/forensics/", forensics_views.election_forensics, name="election-forensics"),
    path("e/<slug:election>/forensics/<str:code>/", forensics_views.region_forensics, name="region-forensics"),
]
