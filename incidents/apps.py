from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_roles_after_migrate(sender, apps=None, **kwargs):
    """Keep the role groups equal to roles.ROLE_PERMISSIONS after every migrate.

    ``flush`` (run between transactional tests, too) sends post_migrate, so the
    groups come back after it empties the tables.
    """
    from django.apps import apps as global_apps

    from .roles import sync_role_groups

    sync_role_groups(apps or global_apps)


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Election observation")

    def ready(self):
        import observer.checks  # noqa: F401 (registers the start-up checks)

        from . import notifications, signals
        from .public import cache as public_cache
        from .security import audit

        post_migrate.connect(sync_roles_after_migrate, sender=self)
        signals.incident_changed.connect(notifications.on_incident_changed, dispatch_uid="incidents.notifications")
        public_cache.connect()
        audit.connect()
