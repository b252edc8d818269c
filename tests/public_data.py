"""Published incidents made quickly for the public-page tests (factories, not the services).

Tests about the path users take (publishing, retracting, the privacy fixture)
go through the services instead; these build many rows for lists and counts.
"""

import datetime

from incidents.models import IncidentKind

from . import factories

DETAIL_FACTORIES = {
    IncidentKind.DETENTION: factories.DetentionFactory,
    IncidentKind.DENIED_ACCESS: factories.DeniedAccessFactory,
    IncidentKind.INTERNET_BLOCKAGE: factories.InternetBlockageFactory,
}
KINDS = [IncidentKind.DETENTION, IncidentKind.DENIED_ACCESS, IncidentKind.INTERNET_BLOCKAGE, IncidentKind.OTHER]


def published(election, region, *, kind=IncidentKind.OTHER, **fields):
    """One published incident of ``kind`` (with its detail row)."""
    fields.setdefault("occurred_at", datetime.datetime(2021, 1, 10, 8, 0, tzinfo=datetime.UTC))
    incident = factories.IncidentFactory(published=True, election=election, region=region, kind=kind, **fields)
    detail = DETAIL_FACTORIES.get(kind)
    if detail:
        detail(incident=incident)
    return incident


def many_published(election, regions, count):
    """``count`` published incidents spread over ``regions`` and the kinds, one minute apart."""
    start = datetime.datetime(2021, 1, 10, 3, 0, tzinfo=datetime.UTC)
    return [
        published(
            election,
            regions[index % len(regions)],
            kind=KINDS[index % len(KINDS)],
            occurred_at=start + datetime.timedelta(minutes=index),
        )
        for index in range(count)
    ]
