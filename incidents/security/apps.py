from django.contrib.admin.apps import AdminConfig


class ObserverAdminConfig(AdminConfig):
    """Django's admin, on a site that asks staff for their second factor."""

    default_site = "incidents.security.admin_site.ObserverAdminSite"
