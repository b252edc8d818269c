"""The forensics pages: an election's, and each region's, station results analysed and drawn.

``/forensics/`` (the current election), ``/e/<election>/forensics/`` and
``/e/<election>/forensics/<region code>/``; ``?party=<id>`` picks the party
(the leading one by default). Content is cached like the other public pages.
Every figure comes from ``figures`` (the same as the API and the CSV
exports), which calls the pure functions of ``forensics``.
"""

from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import Election, Region
from ..public import cache as public_cache
from ..public.views import not_found_page, public_page
from . import charts, figures, forensics
from .selectors import station_results


def party_choice(request):
    """``(party id or None, error)`` from ``?party=``."""
    value = request.GET.get("party", "")
    if not value:
        return None, None
    if not value.isdigit() or len(value) > 9:
        return None, gettext("The party must be given by its number in the list below.")
    return int(value), None


def forensics_context(election, region, data):
    analysis = figures.analysis_of(data)
    region_ids = {int(pk) for pk in set(data.region_ids.tolist())}
    regions = {region.pk: region for region in Region.objects.filter(pk__in=region_ids)}
    base = reverse("election-forensics", args=[election.slug])
    export_query = f"?region={region.code}" if region else ""
    if data.party is not None:
        export_query += ("&" if export_query else "?") + f"party={data.party.pk}"
    station_counts = {}
    for pk in data.region_ids.tolist():
        station_counts[pk] = station_counts.get(pk, 0) + 1
    sub_regions = sorted(
        (
            (regions[pk], count)
            for pk, count in station_counts.items()
            if pk in regions and (region is None or pk != region.pk)
        ),
        key=lambda item: item[0].name.casefold(),
    )
    return {
        "election": election,
        "region": region,
        "data": data,
        "analysis": analysis,
        "explanations": forensics.EXPLANATIONS,
        "heat_map": charts.heat_map(analysis.fingerprint),
        "turnout_chart": charts.histogram(analysis.turnout_histogram),
        "share_chart": charts.histogram(analysis.share_histogram),
        "digits": figures.second_digit_json(analysis.second_digits)["digits"],
        "extremes": list(figures.extreme_rows(data, analysis, regions, limit=figures.EXTREMES_SHOWN)),
        "extremes_shown": figures.EXTREMES_SHOWN,
        "significance": forensics.SIGNIFICANCE,
        "extreme_percent": forensics.EXTREME_PERCENT,
        "sub_regions": [(sub, count) for sub, count in sub_regions if region is None or len(sub_regions) > 1],
        "base_url": base,
        "csv_links": [
            (reverse("api-forensics-csv", args=[election.slug, name]) + export_query, name) for name in figures.TABLES
        ],
        "json_link": reverse("api-forensics", args=[election.slug]) + export_query,
    }


def render_forensics(request, election_slug=None, code=None):
    def build():
        if election_slug is None:
            election = selectors.election_current()
        else:
            election = Election.objects.filter(slug=election_slug).first()
            if election is None:
                return not_found_page(
                    gettext("Unknown election"),
                    gettext("There is no election “%(slug)s”.") % {"slug": election_slug},
                )
        if election is None:
            return not_found_page(gettext("No election yet"), gettext("A coordinator has not set up an election yet."))
        region = None
        if code is not None:
            region = None if "\x00" in code else Region.objects.filter(code=code.upper()[:16]).first()
            if region is None:
                return not_found_page(
                    gettext("No such region"),
                    gettext("There is no region with the code %(code)s.") % {"code": code},
                    links=[(reverse("election-forensics", args=[election.slug]), gettext("All stations"))],
                )
        party_id, problem = party_choice(request)
        title = gettext("Forensics: %(place)s") % {"place": region.name if region else election.name}
        if problem:
            return not_found_page(gettext("Unknown party"), problem, status=400)
        data = station_results(election, region=region, party_id=party_id)
        context = {"election": election, "region": region}
        if data is None:
            return {"title": title, "template": "results/forensics.html", "context": context}
        if data.party is None and party_id is not None:
            return not_found_page(
                gettext("Unknown party"),
                gettext("No party with this number is on the ballot of this election."),
                status=404,
                links=[(request.path, gettext("The leading party"))],
            )
        return {
            "title": title,
            "template": "results/forensics.html",
            "context": forensics_context(election, region, data),
        }

    return public_page(request, build, public_cache.LISTS)


@require_safe
def current_election_forensics(request):
    return render_forensics(request)


@require_safe
def election_forensics(request, election):
    return render_forensics(request, election_slug=election)


@require_safe
def region_forensics(request, election, code):
    return render_forensics(request, election_slug=election, code=code)
