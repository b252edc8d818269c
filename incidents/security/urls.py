"""The staff second-factor pages, included at /accounts/two-factor/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.two_factor, name="two-factor"),
    path("setup/", views.two_factor_setup, name="two-factor-setup"),
    path("backup-codes/", views.backup_codes, name="two-factor-backup-codes"),
]
