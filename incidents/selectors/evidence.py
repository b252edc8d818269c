"""What a moderator checks a blockage report against: the OONI measurements of its country,
networks and window, and the outage dashboards' links (moderation audience)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .. import outages
from ..models import IncidentKind, OoniMeasurement

#: measurements listed on a moderation page at most (anomalies first)
CROSS_CHECK_LIMIT = 200


@dataclass
class CrossCheck:
    country: str
    asns: list
    since: datetime.datetime
    until: datetime.datetime
    ongoing: bool
    measurements: list = field(default_factory=list)
    attached: list = field(default_factory=list)
    links: list = field(default_factory=list)
    more: bool = False

    @property
    def anomalies(self):
        return sum(1 for measurement in self.measurements if measurement.anomaly or measurement.confirmed)


def cross_check_measurements(*, country, asns, since, until):
    """OONI measurements of ``country`` (and of ``asns``, when the report names networks) started
    between ``since`` and ``until``: confirmed blocking first, then anomalies, then the rest, oldest first."""
    queryset = OoniMeasurement.objects.filter(
        probe_cc=country.upper(), measurement_start_time__gte=since, measurement_start_time__lte=until
    )
    if asns:
        queryset = queryset.filter(probe_asn__in=asns)
    return queryset.order_by("-confirmed", "-anomaly", "measurement_start_time", "id")


def blockage_cross_check(incident, *, now=None, limit=CROSS_CHECK_LIMIT):
    """The cross-check of the blockage report ``incident`` (with its election and details loaded),
    or None for another kind. Three queries: the attached measurements, the candidates, nothing else."""
    if incident.kind != IncidentKind.INTERNET_BLOCKAGE:
        return None
    detail = getattr(incident, "internet_blockage", None)
    now = now or timezone.now()
    start = detail.started_at if detail else None
    end = detail.ended_at if detail else None
    asns = outages.asns_named(detail.providers if detail else "")
    margin = datetime.timedelta(hours=settings.OBSERVER_OONI_WINDOW_MARGIN_HOURS)
    since, until = outages.measurement_window(
        start=start, end=end, occurred_at=incident.occurred_at, now=now, margin=margin
    )
    country = incident.election.country
    attached = [link.measurement for link in incident.ooni_links.select_related("measurement")]
    attached_ids = {measurement.pk for measurement in attached}
    rows = []
    if limit:
        rows = list(cross_check_measurements(country=country, asns=asns, since=since, until=until)[: limit + 1])
    for measurement in rows:
        measurement.is_attached = measurement.pk in attached_ids
    return CrossCheck(
        country=country,
        asns=asns,
        since=since,
        until=until,
        ongoing=end is None,
        measurements=rows[:limit],
        attached=attached,
        links=outages.outage_links(country=country, asns=asns, since=since, until=until),
        more=len(rows) > limit,
    )


def measurement_in_cross_check(incident, measurement_pk, *, now=None):
    """The measurement ``measurement_pk`` if the cross-check of ``incident`` lists it or has it attached, else None.

    A moderator attaches only what the page offered: a measurement of another country or window is refused."""
    check = blockage_cross_check(incident, now=now, limit=0)
    if check is None:
        return None
    for measurement in check.attached:
        if measurement.pk == measurement_pk:
            return measurement
    scope = cross_check_measurements(country=check.country, asns=check.asns, since=check.since, until=check.until)
    return scope.filter(pk=measurement_pk).first()


__all__ = ["CrossCheck", "blockage_cross_check", "cross_check_measurements", "measurement_in_cross_check"]
