"""Root URLs. The URL map is in DESIGN.md."""

from django.contrib import admin
from django.urls import include, path

from incidents import views
from incidents.admin import carried
from incidents.report import offline

urlpatterns = [
    path("admin/carried-outbox/", carried.upload, name="admin-outbox-upload"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/welcome/", views.after_login, name="after-login"),
    path("accounts/two-factor/", include("incidents.security.urls")),
    path("accounts/logout/", offline.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("report/", include("incidents.report.urls")),
    path("api/", include("observer.api")),
    path("sms/", include("incidents.sms.urls")),
    path("", include("incidents.public.urls")),
]
