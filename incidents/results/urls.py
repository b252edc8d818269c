"""Public PVT pages, included from incidents/public/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("pvt/", views.pvt_page, name="pvt"),
    path("e/<slug:election>/pvt/", views.pvt_page, name="election-pvt"),
    path("counting/protocol/", views.protocol_copy_new, name="protocol-copy-new"),
    path("counting/photos/<int:pk>/", views.protocol_photo, name="protocol-photo"),
]
