"""Network measurements that a blockage report can be checked against.

OONI measurements are public data (OONI publishes every one of them): a
coordinator imports them for a country and a window (``imports/ooni.py``),
a moderator attaches those that support a blockage report
(``services/evidence.py``). Nothing here is private.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: OONI Explorer's page of one measurement
OONI_EXPLORER_URL = "https://explorer.ooni.org/m/{uid}"


class OoniMeasurement(models.Model):
    """One OONI measurement, as the ``GET /api/v1/measurements`` list gives it (all public)."""

    measurement_uid = models.CharField(_("measurement id"), max_length=100, unique=True)
    report_id = models.CharField(_("report id"), max_length=200, blank=True)
    test_name = models.CharField(_("test"), max_length=64, db_index=True)
    probe_cc = models.CharField(_("country"), max_length=2)
    probe_asn = models.PositiveBigIntegerField(_("network (ASN)"))
    probe_network_name = models.CharField(_("network name"), max_length=200, blank=True)
    input = models.CharField(_("tested site or app"), max_length=2000, blank=True)
    measurement_start_time = models.DateTimeField(_("measured at"))
    anomaly = models.BooleanField(_("anomaly"), default=False)
    confirmed = models.BooleanField(_("confirmed blocking"), default=False)
    failure = models.BooleanField(_("failed measurement"), default=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-measurement_start_time", "id"]
        verbose_name = _("OONI measurement")
        verbose_name_plural = _("OONI measurements")
        indexes = [models.Index(fields=["probe_cc", "measurement_start_time"], name="ooni_country_time")]
        constraints = [models.CheckConstraint(condition=Q(probe_cc__regex=r"^[A-Z]{2}$"), name="ooni_probe_cc_iso")]

    def __str__(self):
        return self.measurement_uid

    def get_absolute_url(self):
        return self.explorer_url

    @property
    def explorer_url(self):
        return OONI_EXPLORER_URL.format(uid=self.measurement_uid)

    @property
    def asn_text(self):
        return f"AS{self.probe_asn}"


class BlockageMeasurement(models.Model):
    """A measurement a moderator found to support a blockage report (attached by ``services.measurement_attach``)."""

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="ooni_links"
    )
    measurement = models.ForeignKey(
        OoniMeasurement, verbose_name=_("OONI measurement"), on_delete=models.PROTECT, related_name="incident_links"
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attached by"), on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(_("attached at"), default=timezone.now)

    class Meta:
        ordering = ["measurement__measurement_start_time", "id"]
        verbose_name = _("attached OONI measurement")
        verbose_name_plural = _("attached OONI measurements")
        constraints = [
            models.UniqueConstraint(fields=["incident", "measurement"], name="blockage_measurement_once"),
        ]

    def __str__(self):
        return f"{self.incident_id}: {self.measurement_id}"
