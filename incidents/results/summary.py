"""The PVT box of the overview and region pages: the estimate of an area beside its official figures."""

from django.urls import reverse

from . import pvt_charts as charts
from . import pvt_selectors as selectors


def pvt_context(overview, *, area=None):
    """What ``_pvt_summary.html`` draws for the country (``area`` None) or one region's AreaEstimate."""
    area = overview.national if area is None else area
    if area is None:
        return None
    return {
        "sample": overview.sample,
        "area": area,
        "chart": charts.intervals(area.comparisons),
        "outside": area.any_outside,
        "pvt_url": reverse("election-pvt", args=[overview.election.slug]),
    }


def election_pvt(election, *, region=None):
    """The box for the country, or for ``region``; None without a sample (nothing to show)."""
    if election is None:
        return None
    overview = selectors.pvt_overview(election, regions=region is not None)
    if overview.sample is None:
        return None
    if region is None:
        return pvt_context(overview)
    area = overview.region(region.code)
    return None if area is None else pvt_context(overview, area=area)
