from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Election observation")

    def ready(self):
        from . import public_cache

        public_cache.connect()
