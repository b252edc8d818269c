"""The public pages: overview, incidents, regions and the map's data (exports and the feed: ``exports``).

Views stay thin: selectors read, ``public`` shapes, ``filters`` filters.
Page content is rendered without the request (no user, no token) and cached
by ``public_cache``; the page around it (header, language switcher) is
rendered for each visitor.
"""

import json
import zoneinfo

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .. import outages, selectors
from ..models import Incident, Region
from ..results.selectors import has_station_results
from ..results.summary import election_pvt
from . import cache as public_cache
from . import cards, charts, timeline
from .filters import ElectionChoiceForm, PublicIncidentFilter

PAGE_SIZE = 25
FEED_SIZE = 50


# Helpers ---------------------------------------------------------------------------------------------------------


def public_page(request, build, scope):
    """Render ``build()`` (a dict: template, context, status, title, map) inside the site layout, cached."""

    def render_content():
        page = build()
        elections = public_cache.reference_kept(f"election-switcher:{get_language()}", selectors.election_switcher)
        chosen = request.GET.get("election", "")
        slugs = [election["slug"] for election in elections]
        return {
            "status": page.get("status", 200),
            "title": str(page["title"]),
            "map": page.get("map", False),
            "content": render_to_string(page["template"], page["context"]),
            # the header's switcher, and the election this page is of (the chosen one, else the current)
            "elections": elections,
            "election_slug": chosen if chosen in slugs else (slugs[0] if slugs else ""),
        }

    def render_page():
        page = public_cache.cached(scope, request, render_content)
        context = {
            "title": page["title"],
            "content": public_cache.html(page["content"]),
            "map": page["map"],
            "elections": page.get("elections", []),
            "election_slug": page.get("election_slug", ""),
        }
        return render(request, "incidents/public_page.html", context, status=page["status"])

    if not public_cache.is_plain_visitor(request):
        return render_page()
    # A visitor with no session and no message waiting sees the same whole page as every
    # other such visitor: served from the cache as it was sent, the layout included.
    return public_cache.cached_response(scope, request, render_page)


def not_found_page(title, message, status=404, links=()):
    return {
        "status": status,
        "title": title,
        "template": "incidents/problem.html",
        "context": {"title": title, "message": message, "links": links},
    }


def query_without(request, *names):
    """The request's query string without ``names``, to build links that keep the filters."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def filterset_of(request, queryset=None):
    return PublicIncidentFilter(request.GET, queryset=selectors.incidents_public() if queryset is None else queryset)


def _map_settings():
    return {"tile_url": settings.OBSERVER_MAP_TILE_URL, "tile_attribution": settings.OBSERVER_MAP_TILE_ATTRIBUTION}


def _choropleths(summaries):
    """The overview's two maps drawn on the server: turnout, and incidents (per 100,000 voters where known)."""
    return {
        "turnout_map": charts.choropleth(summaries, "turnout"),
        "incidents_map": charts.choropleth(summaries, "incidents"),
    }


def _election(request):
    """``(election, error message)`` chosen by ``?election=``."""
    form = ElectionChoiceForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["election"], None
    return None, " ".join(form.errors["election"])


# Overview --------------------------------------------------------------------------------------------------------

REGION_SORT_CHOICES = [
    ("name", _("Region")),
    ("turnout", _("Turnout, lowest first")),
    ("-turnout", _("Turnout, highest first")),
    ("incidents", _("Incidents, fewest first")),
    ("-incidents", _("Incidents, most first")),
]


def _region_sort(request):
    """``(sort, message)``: an unknown sort falls back to the region name, saying so."""
    sort = request.GET.get("sort", "name")
    if sort in dict(REGION_SORT_CHOICES):
        return sort, ""
    return "name", gettext("Unknown sort order; the regions are sorted by name.")


def _sort_links(sort):
    """Column header links: a click sorts by the column, a second click reverses it."""

    def link(column):
        descending = f"-{column}"
        target = descending if sort == column else column
        if column == "incidents" and sort not in (column, descending):
            target = descending  # most incidents first is what people look for
        if column == "turnout" and sort not in (column, descending):
            target = descending
        state = "ascending" if sort == column else "descending" if sort == descending else "none"
        return {"query": f"sort={target}", "state": state}

    return {"name": link("name"), "turnout": link("turnout"), "incidents": link("incidents")}


def _incident_counts(election):
    """The election's incident counts by region and kind, shared by the overview, the region pages
    and the map, kept in the cache (``public_cache.kept``)."""
    if election is None:
        return None
    return public_cache.kept(f"counts:{election.pk}", lambda: selectors.incident_counts(election))


def _pvt_box(election, region=None):
    """The PVT box of the overview or of ``region``, kept in the cache in the reader's language."""
    if election is None:
        return None
    name = f"pvt:{election.pk}:{region.pk if region else 'country'}:{get_language()}"
    return public_cache.kept(name, lambda: election_pvt(election, region=region))


#: the template of the overview's regions: their maps, turnout beside incidents and table
OVERVIEW_REGIONS_TEMPLATE = "incidents/_overview_regions.html"


def _overview_regions(election, national, counts, sort, sort_message, election_query):
    """The overview's regions section (safe HTML; empty without regions): the two maps, the
    turnout chart and the table in ``sort`` order, drawn once per election, order and language
    and kept with the other parts (``public_cache.kept``), stale with the pages."""

    def build():
        summaries = selectors.region_summaries(election, national=national, counts=counts)
        if not summaries:
            return ""
        context = {
            "region_summaries": selectors.sort_region_summaries(summaries, sort),
            "sort": sort,
            "sort_message": sort_message,
            "sort_links": _sort_links(sort),
            "sort_base": reverse("home"),
            "election_query": election_query,
            "turnout_chart": charts.turnout_and_incidents(summaries, national.turnout if national else None),
            **_choropleths(summaries),
        }
        return render_to_string(OVERVIEW_REGIONS_TEMPLATE, context)

    # an unknown sort is drawn by name, with the message saying so
    order = f"{sort}{'-unknown' if sort_message else ''}"
    name = f"overview-regions:{get_language()}:{election.pk}:{order}:{election_query}"
    return public_cache.html(public_cache.kept(name, build))


@require_safe
def home(request):
    sort, sort_message = _region_sort(request)

    def build():
        # The election is chosen inside: a page from the cache asks the database nothing.
        election, error = _election(request)
        election_query = f"election={election.slug}" if election and request.GET.get("election") else ""
        if error:
            return not_found_page(gettext("Unknown election"), error, status=400)
        counts = _incident_counts(election)
        overview = selectors.election_overview(election, counts=counts)
        if election is None:
            return {"title": gettext("Overview"), "template": "incidents/home.html", "context": overview}
        overview.update(
            {
                "latest": cards.incident_cards(overview["latest_ids"]),
                "party_chart": charts.party_votes(overview["party_results"]),
                "regions_section": _overview_regions(
                    election, overview["national"], counts, sort, sort_message, election_query
                ),
                "map_data_url": reverse("region-map-data") + (f"?{election_query}" if election_query else ""),
                "map_settings": _map_settings(),
                "election_query": election_query,
                "station_results": has_station_results(election),
                "pvt": _pvt_box(election),
            }
        )
        return {"title": election.name, "template": "incidents/home.html", "context": overview, "map": True}

    return public_page(request, build, public_cache.LISTS)


# Incidents -------------------------------------------------------------------------------------------------------


@require_safe
def incident_list(request):
    def build():
        filterset = filterset_of(request)
        context = {
            "filterset": filterset,
            "form": filterset.form,
            "map_settings": _map_settings(),
            "filter_query": query_without(request, "page"),
        }
        title = gettext("Incidents")
        if not filterset.is_valid():
            context.update({"invalid": True, "cards": []})
            return {"status": 400, "title": title, "template": "incidents/incident_list.html", "context": context}
        election = filterset.selected_election
        paginator = Paginator(filterset.qs.values_list("pk", flat=True), PAGE_SIZE)
        number = request.GET.get("page") or 1
        try:
            page = paginator.page(number)
        except PageNotAnInteger:
            context.update({"page_problem": gettext("The page number must be a whole number."), "cards": []})
            return {"status": 400, "title": title, "template": "incidents/incident_list.html", "context": context}
        except EmptyPage:
            last = paginator.num_pages
            context.update(
                {
                    "page_problem": gettext("There is no page %(number)s: this list has %(pages)d page(s).")
                    % {"number": number, "pages": last},
                    "last_page_query": f"{context['filter_query']}&page={last}".lstrip("&"),
                    "cards": [],
                }
            )
            return {"status": 404, "title": title, "template": "incidents/incident_list.html", "context": context}
        context.update(
            {
                "election": election,
                "page": page,
                "paginator": paginator,
                "cards": cards.incident_cards(page.object_list),
                "active_filters": filterset.active_filters(),
                "map_data_url": reverse("region-map-data") + "?" + context["filter_query"],
            }
        )
        return {"title": title, "template": "incidents/incident_list.html", "context": context, "map": True}

    return public_page(request, build, public_cache.LISTS)


@require_safe
def incident_detail(request, reference):
    if reference != reference.upper():
        return redirect("incident-detail", reference=reference.upper(), permanent=True)

    def build():
        incident = selectors.incident_public(reference)
        if incident is None:
            return not_found_page(
                gettext("No such incident"),
                gettext("There is no published incident with the reference %(reference)s.") % {"reference": reference},
                links=[(reverse("incident-list"), gettext("All published incidents"))],
            )
        if getattr(incident, "is_retracted", False):
            return {
                "title": gettext("Incident %(reference)s was retracted") % {"reference": reference},
                "template": "incidents/incident_retracted.html",
                "context": {"incident": incident},
            }
        return {
            "title": f"{incident.kind_label} · {incident.reference}",
            "template": "incidents/incident_detail.html",
            "context": {"incident": incident, "map_settings": _map_settings(), **_blockage_context(incident)},
            "map": incident.has_point,
        }

    return public_page(request, build, public_cache.LISTS)


def _blockage_context(incident):
    """A blockage's time line, its public sources and its outage-signal links (nothing for other kinds)."""
    facts = incident.blockage
    if not facts:
        return {}
    zone = zoneinfo.ZoneInfo(incident.time_zone)
    providers = facts["providers"].value if "providers" in facts else ""
    return {
        "timeline": timeline.incidents_timeline([incident], now=timezone.now(), zone=zone),
        "source_links": [line.strip() for line in (facts["source_links"].value or "").splitlines() if line.strip()],
        "outage_links": outages.outage_links(country=incident.election_country, asns=outages.asns_named(providers))
        if incident.election_country
        else [],
    }


# Regions ---------------------------------------------------------------------------------------------------------


@require_safe
def region_list(request):
    sort, sort_message = _region_sort(request)

    def build():
        election, error = _election(request)
        title = gettext("Regions")
        if error:
            return not_found_page(gettext("Unknown election"), error, status=400)
        national = selectors.official_result(election) if election else None
        summaries = selectors.sort_region_summaries(selectors.region_summaries(election, national=national), sort)
        national_turnout = national.turnout if national else None
        election_query = f"election={election.slug}" if request.GET.get("election") else ""
        context = {
            "election": election,
            "national": national,
            "region_summaries": summaries,
            "sort": sort,
            "sort_message": sort_message,
            "sort_links": _sort_links(sort),
            "turnout_chart": charts.turnout_and_incidents(summaries, national_turnout),
            **_choropleths(summaries),
            "map_data_url": reverse("region-map-data") + (f"?{election_query}" if election_query else ""),
            "map_settings": _map_settings(),
            "election_query": election_query,
        }
        return {"title": title, "template": "incidents/region_list.html", "context": context, "map": True}

    return public_page(request, build, public_cache.LISTS)


#: the template of a region's blockages: their time line and list
REGION_BLOCKAGES_TEMPLATE = "incidents/_region_blockages.html"


def _region_blockages(election, overview):
    """The blockage section of a region page (its time line and list, safe HTML; empty without
    blockages), rendered once a minute per region and language and kept with the other parts
    (``public_cache.kept``): a publish or an edit makes it stale as it makes the page stale, and
    an ongoing blockage's bar reaches the minute the section was drawn."""
    if election is None:
        return ""
    now = timezone.now().replace(second=0, microsecond=0)

    def build():
        blockages = selectors.incidents_public_page(selectors.region_blockage_ids(election, overview.region_ids))
        chart = timeline.incidents_timeline(blockages, now=now, zone=election.zone)
        bar_texts = {bar.key: bar.text for bar in chart.bars} if chart else {}
        rows = [(blockage, bar_texts.get(blockage.reference, "")) for blockage in blockages]
        return render_to_string(REGION_BLOCKAGES_TEMPLATE, {"rows": rows, "chart": chart}) if rows else ""

    name = f"region-blockages:{get_language()}:{election.pk}:{overview.region.pk}:{now:%Y%m%d%H%M}"
    # kept past its minute no longer than a request that began in it could still read it
    return public_cache.html(public_cache.kept(name, build, seconds=2 * 60))


@require_safe
def region_detail(request, code):
    def build():
        election, error = _election(request)
        if error:
            return not_found_page(gettext("Unknown election"), error, status=400)
        region = Region.objects.select_related("parent").filter(code=code.upper()).first()
        if region is None:
            return not_found_page(
                gettext("No such region"),
                gettext("There is no region with the code %(code)s.") % {"code": code},
                links=[(reverse("region-list"), gettext("All regions"))],
            )
        overview = selectors.region_overview(election, region, counts=_incident_counts(election))
        election_query = f"election={election.slug}&" if request.GET.get("election") else ""
        context = {
            "election": election,
            "overview": overview,
            "region": region,
            "summary": overview.summary,
            "latest": cards.incident_cards(overview.latest_ids),
            "party_chart": charts.party_votes(overview.party_results),
            "turnout_map": charts.choropleth(overview.country, "turnout", current=region),
            "incidents_query": f"{election_query}region={region.code}",
            "blockages": _region_blockages(election, overview),
            "station_results": has_station_results(election, region),
            "pvt": _pvt_box(election, region),
        }
        return {"title": region.name, "template": "incidents/region_detail.html", "context": context}

    return public_page(request, build, public_cache.LISTS)


# Machine-readable ------------------------------------------------------------------------------------------------


def invalid_filters(filterset):
    return {field: [str(message) for message in messages] for field, messages in filterset.errors.items()}


def invalid_text(filterset):
    lines = [gettext("These filters are not valid, so nothing was exported:")]
    for field, messages in invalid_filters(filterset).items():
        lines += [f"{field}: {message}" for message in messages]
    return "\n".join(lines) + "\n"


def json_response(data, status=200, content_type="application/geo+json"):
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type=content_type)


@require_safe
def region_map_data(request):
    """GeoJSON of region markers: each region's point with the number of
    published incidents matching the filters (the same as /incidents/)."""

    def build():
        filterset = filterset_of(request, queryset=Incident.objects.published())
        if not filterset.is_valid():
            return 400, {"errors": invalid_filters(filterset)}
        election = filterset.selected_election
        other_filters = query_without(request, "region", "page")
        list_url = reverse("incident-list") + "?" + (f"{other_filters}&" if other_filters else "")
        features = []
        for marker in selectors.region_markers(election, filterset.qs):
            region = marker.region
            features.append(
                {
                    "type": "Feature",
                    "id": region.code,
                    "geometry": {"type": "Point", "coordinates": [float(region.longitude), float(region.latitude)]},
                    "properties": {
                        "code": region.code,
                        "name": region.name,
                        "url": region.get_absolute_url(),
                        "incidents": marker.incidents,
                        "turnout": float(marker.turnout) if marker.turnout is not None else None,
                        "list_url": f"{list_url}region={region.code}",
                    },
                }
            )
        return 200, {"type": "FeatureCollection", "features": features}

    status, data = public_cache.cached(public_cache.LISTS, request, build, kind="map")
    return json_response(data, status=status)
