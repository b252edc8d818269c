"""The public PVT pages: the estimate beside the official result, per election (docs/pvt.md).

Built like the other public pages (``public.views.public_page``: content cached, no user in it).
Nothing here reads an observer, a photo or a copy that does not count.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from .. import permissions, services
from .. import selectors as site_selectors
from ..models import Election, ProtocolCopy, PvtStation
from ..public import cache as public_cache
from ..public.views import not_found_page, public_page
from ..report.views import no_election, observer_required
from . import checks
from . import pvt_charts as charts
from . import pvt_selectors as selectors
from .protocol_forms import ProtocolCopyForm
from .summary import pvt_context


@require_safe
def pvt_page(request, election=None):
    def build():
        if election is None:
            chosen = site_selectors.election_current()
        else:
            chosen = Election.objects.filter(slug=election).first()
            if chosen is None:
                return not_found_page(
                    gettext("Unknown election"),
                    gettext("There is no election “%(slug)s”.") % {"slug": election},
                )
        title = gettext("Parallel vote tabulation")
        if chosen is None:
            return not_found_page(title, gettext("A coordinator has not set up an election yet."))
        overview = selectors.pvt_overview(chosen)
        sample = overview.sample
        published_stations = []
        if sample is not None and sample.published:
            published_stations = list(
                PvtStation.objects.filter(sample=sample)
                .select_related("polling_station")
                .order_by("stratum", "polling_station__number")
                .values_list("stratum", "polling_station__number")
            )
        context = {
            "election": chosen,
            "overview": overview,
            "summary": pvt_context(overview) if sample else None,
            "regions": [(area, charts.intervals(area.comparisons)) for area in overview.regions],
            "differences": selectors.station_differences(chosen),
            "published_stations": published_stations,
            "election_query": f"election={chosen.slug}",
        }
        return {"title": f"{title}: {chosen.name}", "template": "incidents/results/pvt.html", "context": context}

    return public_page(request, build, public_cache.LISTS)


def protocol_photo(request, pk):
    """A copy's photo, to staff who verify copies (and to anyone once a moderator made it public); 404 otherwise."""
    copy = get_object_or_404(ProtocolCopy, pk=pk)
    public = copy.photo_is_public and copy.status == "verified" and not copy.in_conflict
    if not copy.photo or not (public or permissions.can_verify_copies(request.user)):
        raise Http404
    response = FileResponse(copy.photo.open("rb"), content_type=copy.photo_content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def protocol_copy_new(request):
    """The observer copies a protocol. Figures that fail a check are shown first: "send anyway?"."""
    election = site_selectors.election_current()
    if election is None:
        return no_election(request)
    sheet = services.ProtocolSheet.of(election)
    form = ProtocolCopyForm(request.POST or None, request.FILES or None, sheet=sheet, election=election)
    failed = []
    if request.method == "POST" and form.is_valid():
        lines, votes = form.figures()
        failed = checks.failures(sheet.check(lines, votes))
        if not failed or form.cleaned_data["send_anyway"]:
            try:
                services.protocol_copy_file(
                    observer=permissions.observer_of(request.user),
                    polling_station=form.cleaned_data["polling_station"],
                    copied_at=form.cleaned_data["copied_at"],
                    lines=lines,
                    party_votes=votes,
                    photo=form.cleaned_data.get("photo"),
                    client_token=f"web-{request.user.pk}-{form.cleaned_data['client_token']}"[:64],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except (services.WorkflowError, services.IdempotencyConflict) as error:
                form.add_error(None, getattr(error, "message", str(error)))
            else:
                messages.success(request, gettext("Your copy of the protocol was sent. Thank you."))
                return redirect("protocol-copy-new")
        else:
            # Asked once: the next send files the copy as it is.
            form.data = form.data.copy()
            form.data["send_anyway"] = "on"
    status = 400 if request.method == "POST" and (form.errors or failed) else 200
    return render(
        request, "report/protocol_copy.html", {"election": election, "form": form, "failed": failed}, status=status
    )
