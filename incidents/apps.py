from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Election observation")

    def ready(self):
        from . import notifications, signals

        signals.incident_changed.connect(notifications.on_incident_changed, dispatch_uid="incidents.notifications")
