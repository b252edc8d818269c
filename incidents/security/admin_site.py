from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from .. import permissions


class ObserverAdminSite(admin.AdminSite):
    """Django's admin site, open to active staff who have passed their second
    factor in this session. Staff who have logged in with their password only
    are sent to enter a code (or to set up an authenticator app first)."""

    def has_permission(self, request):
        return super().has_permission(request) and permissions.passed_second_factor(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not self.has_permission(request):
            target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return HttpResponseRedirect(f"{reverse('two-factor')}?{urlencode({'next': target})}")
        return super().login(request, extra_context)
