"""DRF permission classes. Each asks ``incidents.permissions``; none decides by itself."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf

from .. import permissions


class IsObserver(drf.BasePermission):
    """Users with an observer profile: they file and follow their own reports."""

    message = _("Only observers can do this.")

    def has_permission(self, request, view):
        return permissions.can_file(request.user)


class IsModerator(drf.BasePermission):
    """Staff who moderate (the Moderator and Coordinator groups)."""

    message = _("Only moderators can do this.")

    def has_permission(self, request, view):
        return permissions.is_moderator(request.user)
