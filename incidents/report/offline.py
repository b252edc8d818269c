"""The observer's offline app: manifest, icons, service worker, outbox page, the phone's setup.

What the phone keeps and how it sends is in static/js/offline/ (each file says
what it guarantees). The server's part is small:

* ``/report/sw.js`` — the service worker, served from /report/ so that its
  scope covers every observer page (and nothing else of the site);
* ``/report/manifest.webmanifest`` and the icons — a neutral name ("Notes")
  and a plain notebook drawn here with Pillow, so a seized phone's home screen
  says nothing about elections;
* ``/report/outbox/`` — the page listing what waits on the phone; it needs no
  login (everything on it comes from the phone), so an observer whose session
  ran out still sees their reports;
* ``/report/offline/setup.json`` — for a logged-in observer: the pages and
  files to keep for offline use, the maps from the form's choices to the API's
  codes, the site's public key for the carried file and the observer's pass
  (signed by the site: it tells the coordinator's upload whose reports a
  carried file holds).

Reports are sent through the API (``POST /api/v1/reports/`` with the session,
its CSRF token and an ``Idempotency-Key`` made on the phone): the key exists
from the moment a report is saved, offline, so every resend of it is the same
report to the server. The form's token is made by the server when it renders
the page; a page kept for offline use would give every report written on it
the same token.
"""

import functools
import io
import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import permissions, selectors
from ..models import IncidentKind, PollingStation, Region
from . import outbox_file
from .views import observer_required

ICON_SIZES = (192, 512)
#: the app's own scripts, kept by the service worker (ES modules: app.js and what it imports)
SCRIPTS = ("app.js", "outbox.js", "crypto.js", "sender.js", "form.js", "page.js")


@require_safe
def service_worker(request):
    path = finders.find("js/offline/sw.js")
    with open(path, encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("report-list")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request):
    start = reverse("report-list")
    data = {
        "name": _("Notes"),
        "short_name": _("Notes"),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#f2f2f2",
        "icons": [
            {"src": reverse("report-offline-icon", args=[size]), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in ICON_SIZES
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "max-age=3600"
    return response


@functools.lru_cache(maxsize=len(ICON_SIZES))
def icon_png(size):
    """A plain notebook: a grey page with lines. Drawn here, so the repository holds no image."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "#e9e6df")
    draw = ImageDraw.Draw(image)
    unit = size / 16
    draw.rounded_rectangle((3 * unit, 2 * unit, 13 * unit, 14 * unit), radius=unit, fill="#fbfaf7", outline="#8a8578")
    for row in range(5):
        y = (5 + 2 * row) * unit
        draw.line((5 * unit, y, 11 * unit, y), fill="#b8b3a7", width=max(1, int(unit / 3)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@require_safe
def icon(request, size):
    if size not in ICON_SIZES:
        return HttpResponse(status=404)
    response = HttpResponse(icon_png(size), content_type="image/png")
    response["Cache-Control"] = "max-age=86400"
    return response


@require_safe
def outbox(request):
    return render(
        request,
        "report/outbox.html",
        {"photo_max_px": settings.OBSERVER_OFFLINE_PHOTO_MAX_PX, "kinds": IncidentKind.choices},
    )


def site_public_key():
    """The site's public key as base64url (Web Crypto ``raw``), or "" when carried files are off."""
    key = outbox_file.site_private_key()
    return outbox_file.base64url(outbox_file.public_point(key)) if key else ""


@require_safe
@never_cache
def setup(request):
    """What a phone keeps after an online login (see the module's docstring)."""
    return observer_required(_setup)(request)


def _setup(request):
    observer = request.observer
    election = selectors.election_current()
    regions, stations, station_regions = {}, {}, set()
    pages = [reverse("report-list"), reverse("report-outbox"), reverse("report-choose")]
    if election is not None:
        regions = {str(region.pk): region.code for region in Region.objects.filter(country=election.country)}
        assigned, _in_region = selectors.observer_stations(observer, election)
        station_regions = {station.region_id for station in assigned}
        rows = PollingStation.objects.filter(election=election).filter(
            pk__in=[station.pk for station in assigned]
        ) | PollingStation.objects.filter(election=election, region_id__in=station_regions)
        stations = {str(pk): number for pk, number in rows.values_list("pk", "number")}
        pages += [reverse("report-file", args=[kind]) for kind in IncidentKind.values]
        pages += [f"{reverse('report-stations')}?region={pk}" for pk in sorted(station_regions)]
    # The app's modules go by their plain names (they import each other by relative names; the service
    # worker keeps them up to date), the styles and the stations script by their hashed names.
    scripts = [f"{settings.STATIC_URL}js/offline/{name}" for name in SCRIPTS]
    assets = [static("css/site.css"), static("js/report.js"), *scripts]
    assets += [reverse("report-manifest"), *(reverse("report-offline-icon", args=[size]) for size in ICON_SIZES)]
    data = {
        "observer": request.user.pk,
        "pass": outbox_file.observer_pass(observer),
        "election": election.slug if election else None,
        "regions": regions,
        "stations": stations,
        "site_key": site_public_key(),
        "photo_max_px": settings.OBSERVER_OFFLINE_PHOTO_MAX_PX,
        "pages": pages,
        "assets": assets,
    }
    return HttpResponse(json.dumps(data), content_type="application/json")


class LogoutView(auth_views.LogoutView):
    """Django's logout, which also tells the browser to drop what it kept of the site (the app's
    script drops its page cache as well, before the form is sent). The outbox stays: its reports
    are sent after the next login of the same observer."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


def can_carry(user):
    return permissions.is_coordinator(user)
