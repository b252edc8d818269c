"""The public exports (CSV, GeoJSON) and the Atom feed of published incidents, filtered as the list is.

The API's exports stream the same lines (``geojson_lines``, ``tabular.csv_lines``) under the same
file names (``incidents_export_filename``).
"""

import json

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from .. import selectors, tabular
from ..models import IncidentKind
from . import cache as public_cache
from . import shape as public
from . import stop
from .views import filterset_of, invalid_filters, invalid_text, json_response, query_without

FEED_SIZE = 50


def incidents_export_filename(filterset, extension):
    """``incidents-<election>-<YYYYmmdd-HHMM>.<extension>`` for an export of ``filterset``'s incidents."""
    election = filterset.selected_election
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return tabular.export_filename("incidents", election.slug if election else "none", stamp, extension=extension)


@require_safe
def incident_export_csv(request):
    """The published incidents matching the filters, as CSV, streamed row by row."""
    filterset = filterset_of(request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            gettext("Invalid filters: %(errors)s")
            % {"errors": json.dumps(invalid_filters(filterset), ensure_ascii=False)},
            content_type="text/plain; charset=utf-8",
        )
    base_url = request.build_absolute_uri("/").rstrip("/")
    rows = (public.csv_row(incident, base_url=base_url) for incident in selectors.incidents_public_shapes(filterset.qs))
    response = StreamingHttpResponse(
        tabular.started(tabular.csv_lines(public.csv_header(), rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{incidents_export_filename(filterset, "csv")}"'
    return response


def blockages_only(queryset):
    """The internet blockages among ``queryset``'s incidents (the STOP export's rows)."""
    return queryset.filter(kind=IncidentKind.INTERNET_BLOCKAGE)


def stop_lines(filterset, base_url):
    """The CSV lines of the STOP export of ``filterset``'s blockages (pages and API share them)."""
    rows = (
        stop.stop_row(incident, base_url=base_url)
        for incident in selectors.incidents_public_shapes(blockages_only(filterset.qs))
    )
    return tabular.csv_lines(stop.stop_header(), rows)


@require_safe
def incident_export_stop(request):
    """The published internet blockages matching the filters, in the columns of Access Now's STOP dataset."""
    filterset = filterset_of(request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(invalid_text(filterset), content_type="text/plain; charset=utf-8")
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(stop_lines(filterset, base_url), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{blockages_export_filename(filterset)}"'
    return response


def blockages_export_filename(filterset):
    """``blockages-stop-<election>-<YYYYmmdd-HHMM>.csv``."""
    election = filterset.selected_election
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return tabular.export_filename("blockages-stop", election.slug if election else "none", stamp, extension="csv")


def geojson_lines(incidents, base_url):
    yield '{"type": "FeatureCollection", "features": [\n'
    separator = ""
    for incident in incidents:
        yield separator + json.dumps(public.geojson_feature(incident, base_url=base_url), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@require_safe
def incident_export_geojson(request):
    """The published incidents matching the filters, as GeoJSON, streamed feature by feature."""
    filterset = filterset_of(request)
    if not filterset.is_valid():
        return json_response({"errors": invalid_filters(filterset)}, status=400, content_type="application/json")
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(
        tabular.started(geojson_lines(selectors.incidents_public_shapes(filterset.qs), base_url)),
        content_type="application/geo+json",
    )
    response["Content-Disposition"] = f'attachment; filename="{incidents_export_filename(filterset, "geojson")}"'
    return response


class IncidentFeed(Feed):
    """Atom feed of the latest published incidents matching the filters."""

    feed_type = Atom1Feed

    def get_object(self, request):
        filterset = filterset_of(request)
        self.base_url = request.build_absolute_uri("/").rstrip("/")
        self.query = query_without(request, "page", "sort")
        return filterset

    def title(self, filterset):
        election = filterset.selected_election
        name = election.name if election else "Observer"
        return gettext("%(election)s: newly published incidents") % {"election": name}

    def subtitle(self, filterset):
        return gettext("Incidents reported by observers, verified and published by moderators.")

    def link(self, filterset):
        return reverse("incident-list") + (f"?{self.query}" if self.query else "")

    def feed_url(self, filterset):
        return reverse("incident-feed") + (f"?{self.query}" if self.query else "")

    def items(self, filterset):
        ids = filterset.qs.order_by("-published_at", "-id").values_list("pk", flat=True)[:FEED_SIZE]
        return selectors.incidents_public_page(list(ids))

    def item_title(self, item):
        place = item.region_name or gettext("no region")
        return f"{item.kind_label} — {place} ({item.reference})"

    def item_description(self, item):
        return item.public_summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return self.base_url + item.url

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.kind_label, item.verification_label]


incident_feed_view = IncidentFeed()


@require_safe
def incident_feed(request):
    def build():
        filterset = filterset_of(request)
        if not filterset.is_valid():
            return 400, "text/plain; charset=utf-8", invalid_text(filterset).encode()
        response = incident_feed_view(request)
        return response.status_code, response["Content-Type"], response.content

    status, content_type, body = public_cache.cached(public_cache.LISTS, request, build, kind="feed")
    return HttpResponse(body, status=status, content_type=content_type)
