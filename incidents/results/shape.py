"""The one public shape of the PVT: what the page, the JSON and the CSV exports show.

Built only from ``selectors.pvt_overview``, ``selectors.station_differences`` and
``selectors.counted_copies``: no observer, no photo, no copy that does not count.
"""

from ..models import ProtocolLine


def _round(value, places=6):
    return None if value is None else round(value, places)


def comparison_json(row):
    estimate = row.estimate
    return {
        "figure": row.key,
        "label": str(row.label) if row.label else row.key,
        "estimate": _round(estimate.value),
        "standard_error": _round(estimate.standard_error),
        "low": _round(estimate.low),
        "high": _round(estimate.high),
        "reports": estimate.reports,
        "short_strata": list(estimate.short_strata),
        "official": _round(row.official),
        "verdict": row.verdict,
    }


def area_json(area):
    return {
        "region": None if area.region is None else {"code": area.region.code, "name": area.region.name},
        "sampled_stations": area.sampled,
        "reported_stations": area.reported,
        "figures": [comparison_json(row) for row in area.comparisons],
    }


def sample_json(sample):
    if sample is None:
        return None
    return {
        "fingerprint": sample.fingerprint,
        "drawn_at": sample.drawn_at.isoformat(),
        "strata": sample.strata,
        "wanted_margin": float(sample.wanted_margin),
        "published": sample.published,
        # the seed is what lets anyone redo the draw: public only once the list is
        "seed": sample.seed if sample.published else None,
        "is_demo": sample.is_demo,
    }


def difference_json(difference):
    return {
        "station": difference.number,
        "region": difference.region.code,
        "line": str(difference.line),
        "official": difference.official,
        "copied": difference.copied,
    }


def overview_json(overview, differences):
    return {
        "election": None if overview.election is None else overview.election.slug,
        "sample": sample_json(overview.sample),
        "national": None if overview.national is None else area_json(overview.national),
        "regions": [area_json(area) for area in overview.regions],
        "station_differences": [difference_json(difference) for difference in differences],
    }


COMPARISON_HEADER = [
    "region",
    "figure",
    "estimate",
    "low",
    "high",
    "standard_error",
    "reports",
    "official",
    "verdict",
]


def comparison_rows(overview):
    areas = ([overview.national] if overview.national else []) + list(overview.regions)
    for area in areas:
        for row in area.comparisons:
            shaped = comparison_json(row)
            yield [
                "" if area.region is None else area.region.code,
                shaped["figure"],
                *(shaped[name] for name in ("estimate", "low", "high", "standard_error", "reports", "official")),
                shaped["verdict"],
            ]


def copies_header_and_rows(election, copies):
    """CSV of the copies that count: station, region, when copied, then each line and each party's votes."""
    lines = list(ProtocolLine.objects.filter(election=election))
    parties = list(election.parties.all())
    header = ["station", "region", "copied_at", *(line.code for line in lines), *(p.short_name for p in parties)]

    def rows():
        for copy in copies:
            yield [
                copy.polling_station.number,
                copy.polling_station.region.code,
                copy.copied_at.isoformat(),
                *(copy.lines.get(line.code) for line in lines),
                *(copy.party_votes.get(str(party.pk)) for party in parties),
            ]

    return header, rows()
