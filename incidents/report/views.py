"""The observer's pages under /report/: my reports, file one, follow it up.

Thin views: reads through selectors, writes through services, who-may-what
in permissions. Every page shows times in the election's time zone. Another
observer's report answers 404, like one that does not exist.
"""

import datetime
import functools
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import permissions, selectors, services
from ..health import DATABASE_UNAVAILABLE
from ..models import DatePrecision, EventAction, Incident, IncidentKind, Region, Status
from .forms import (
    DETAIL_FORMS,
    AnswerForm,
    EditReportForm,
    NewReportForm,
    client_token_from,
    form_token_new,
    route_errors,
    station_label,
)

#: the kinds with a form of their own, offered first
MAIN_KINDS = [IncidentKind.DETENTION, IncidentKind.DENIED_ACCESS, IncidentKind.INTERNET_BLOCKAGE]
REPORTS_PER_PAGE = 25

logger = logging.getLogger(__name__)


def default_time(election):
    """When a new report happened, at first: now on the election day (and before it, for an election to
    come); the election's day with the time left empty once it is past. Never a future date."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    if now.date() > election.election_day:
        return {"occurred_at": [election.election_day, None], "occurred_precision": DatePrecision.DAY}
    return {"occurred_at": now, "occurred_precision": DatePrecision.EXACT}


def observer_required(view):
    """Log in first; then only users with an Observer profile get past, others get a page saying so."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        observer = permissions.observer_of(request.user)
        if observer is None:
            return render(request, "report/not_observer.html", status=403)
        request.observer = observer
        return view(request, *args, **kwargs)

    return wrapper


def own_report(request, reference):
    return get_object_or_404(selectors.observer_reports(request.observer), reference=reference)


def no_election(request):
    return render(request, "report/no_election.html", status=503)


@require_safe
@observer_required
def report_list(request):
    observer = request.observer
    status = request.GET.get("status")
    reports = selectors.observer_reports(observer)
    if status in Status.values:
        reports = reports.filter(status=status)
    else:
        status = None
    counts = selectors.observer_report_counts(observer)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for report in page.object_list:
        report.last_action_label = EventAction(report.last_action).label if report.last_action else ""
    return render(
        request,
        "report/list.html",
        {
            "page": page,
            "status": status,
            "total": sum(counts.values()),
            "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        },
    )


def default_region(observer, election):
    assigned, _in_region = selectors.observer_stations(observer, election)
    return assigned[0].region if assigned else None


@require_safe
@observer_required
def report_choose(request):
    election = selectors.observer_election(request.observer)
    if election is None:
        return no_election(request)
    kind = request.GET.get("kind")
    if kind in IncidentKind.values:
        url = reverse("report-file", args=[kind])
        region = request.GET.get("region")
        return redirect(f"{url}?{urlencode({'region': region})}" if region and region.isdigit() else url)
    region = default_region(request.observer, election)
    return render(
        request,
        "report/choose.html",
        {
            "election": election,
            "main_kinds": [(kind, IncidentKind(kind).label) for kind in MAIN_KINDS],
            "other_kinds": [(value, label) for value, label in IncidentKind.choices if value not in MAIN_KINDS],
            "regions": selectors.election_regions(election),
            "region": region,
        },
    )


def render_file_form(request, election, kind, form, detail_form, status=200):
    return render(
        request,
        "report/file.html",
        {
            "election": election,
            "kind": kind,
            "kind_label": IncidentKind(kind).label,
            "form": form,
            "detail_form": detail_form,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def report_file(request, kind):
    if kind not in IncidentKind.values:
        raise Http404
    election = selectors.observer_election(request.observer)
    if election is None:
        return no_election(request)
    observer = request.observer
    detail_form_class = DETAIL_FORMS.get(kind)
    with timezone.override(election.zone):
        if request.method != "POST":
            region_id = request.GET.get("region")
            region = Region.objects.filter(pk=region_id).first() if region_id and region_id.isdigit() else None
            region = region or default_region(observer, election)
            form = NewReportForm(
                observer=observer,
                election=election,
                kind=kind,
                initial={
                    "form_token": form_token_new(observer),
                    "region": region.pk if region else None,
                    **default_time(election),
                },
                region=region,
            )
            detail_form = detail_form_class() if detail_form_class else None
            return render_file_form(request, election, kind, form, detail_form)

        data, token_error = request.POST, None
        try:
            client_token = client_token_from(data.get("form_token", ""), observer)
        except ValidationError as error:
            token_error = error
            data = data.copy()
            data["form_token"] = form_token_new(observer)
        else:
            # A second tap, or a retry after the answer was lost: show the report already filed.
            try:
                existing = services.existing_submission(reporter=observer, client_token=client_token)
            except services.IdempotencyConflict:
                existing = None  # the service refuses it again below, with the form shown
            if existing is not None:
                messages.info(request, _("This report had already been received; it was not filed twice."))
                return redirect("report-filed", reference=existing.incident.reference)

        form = NewReportForm(data, request.FILES, observer=observer, election=election, kind=kind)
        detail_form = detail_form_class(data) if detail_form_class else None
        valid = form.is_valid() & (detail_form is None or detail_form.is_valid())
        if token_error is not None:
            form.add_error(None, token_error)
            return render_file_form(request, election, kind, form, detail_form, status=400)
        if not valid:
            return render_file_form(request, election, kind, form, detail_form)
        try:
            submission = services.incident_submit_with_attachments(
                existing_checked=True,
                reporter=observer,
                election=election,
                kind=kind,
                details=detail_form.details() if detail_form else None,
                client_token=form.client_token,
                attachments=form.cleaned_data["attachments"],
                **form.submission_values(),
            )
        except ValidationError as error:
            route_errors(error, form, detail_form)
            return render_file_form(request, election, kind, form, detail_form)
        except services.SubmissionRateLimited as error:
            form.add_error(None, error.message)
            return render_file_form(request, election, kind, form, detail_form, status=429)
        except services.IdempotencyConflict as error:
            form.add_error(None, str(error))
            return render_file_form(request, election, kind, form, detail_form, status=409)
        except DATABASE_UNAVAILABLE:
            # Nothing was written (one transaction). The form keeps its token, so sending it
            # again files the report once, however many tries it takes.
            logger.warning("The database did not answer a new report; the form was shown again")
            form.add_error(
                None,
                _(
                    "The site could not reach its database, so the report may not have been saved. Everything "
                    "you typed is still here: press “Send the report” again in a few seconds (choose any files "
                    "again). It will not be filed twice."
                ),
            )
            return render_file_form(request, election, kind, form, detail_form, status=503)
    if not submission.created:
        messages.info(request, _("This report had already been received; it was not filed twice."))
    return redirect("report-filed", reference=submission.incident.reference)


@require_safe
@observer_required
def report_filed(request, reference):
    return render(request, "report/filed.html", {"incident": own_report(request, reference)})


def detail_rows(detail, fields):
    """``(label, value)`` for each field of a kind's detail row, values as people read them."""
    rows = []
    for name in fields:
        model_field = detail._meta.get_field(name)
        value = getattr(detail, name)
        if model_field.choices:
            value = getattr(detail, f"get_{name}_display")()
        elif isinstance(value, list):
            choices = dict(model_field.validators[0].choices.choices) if model_field.validators else {}
            value = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, datetime.datetime):
            value = date_format(timezone.localtime(value), "DATETIME_FORMAT")
        rows.append((model_field.verbose_name, value))
    return rows


def changed_labels(event, incident):
    """The names of the fields an ``edited`` event changed, or what an ``attached`` event added."""
    if event.action == EventAction.ATTACHED:
        count = len(event.changes.get("added", []))
        return [ngettext("%(count)d file", "%(count)d files", count) % {"count": count}]
    labels = []
    for name in event.changes:
        model, field = (type(incident.detail), name.split(".", 1)[1]) if "." in name else (Incident, name)
        try:
            labels.append(str(model._meta.get_field(field).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            labels.append(name)
    return labels


def render_detail(request, incident, answer_form=None, status=200):
    with timezone.override(incident.election.zone):
        history = list(selectors.observer_report_history(incident))
        for event in history:
            event.changed_labels = changed_labels(event, incident)
        detail_form_class = DETAIL_FORMS.get(incident.kind)
        detail = incident.detail
        question = next((e for e in reversed(history) if e.action == EventAction.ASKED), None)
        if answer_form is None and incident.status == Status.NEEDS_INFO:
            answer_form = AnswerForm()
        return render(
            request,
            "report/detail.html",
            {
                "incident": incident,
                "detail_rows": detail_rows(detail, detail_form_class.Meta.fields) if detail else [],
                "history": history,
                "question": question if incident.status == Status.NEEDS_INFO else None,
                "attachments": list(incident.attachments.all()),
                "answer_form": answer_form,
                "can_edit": permissions.can_edit_report(request.user, incident),
            },
            status=status,
        )


@require_safe
@observer_required
def report_detail(request, reference):
    return render_detail(request, own_report(request, reference))


def render_edit_form(request, incident, form, detail_form, status=200):
    return render(
        request,
        "report/edit.html",
        {"incident": incident, "form": form, "detail_form": detail_form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def report_edit(request, reference):
    incident = own_report(request, reference)
    if not permissions.can_edit_report(request.user, incident):
        messages.error(request, _("This report is with the moderators and can no longer be edited."))
        return redirect("report-detail", reference=reference)
    election, observer, detail = incident.election, request.observer, incident.detail
    detail_form_class = DETAIL_FORMS.get(incident.kind)
    options = {"observer": observer, "election": election, "kind": incident.kind, "incident": incident}
    with timezone.override(election.zone):
        if request.method != "POST":
            initial = {name: getattr(incident, name) for name in services.REPORTER_EDITABLE_FIELDS}
            initial["occurred_at"] = timezone.localtime(incident.occurred_at).replace(second=0, microsecond=0)
            initial["version"] = incident.version
            form = EditReportForm(initial=initial, **options)
            detail_form = detail_form_class(instance=detail) if detail_form_class and detail else None
            return render_edit_form(request, incident, form, detail_form)

        form = EditReportForm(request.POST, request.FILES, **options)
        detail_form = detail_form_class(request.POST, instance=detail) if detail_form_class and detail else None
        if not (form.is_valid() & (detail_form is None or detail_form.is_valid())):
            return render_edit_form(request, incident, form, detail_form)
        changes = form.changes()
        detail_changes = detail_form.changes() if detail_form else {}
        files = form.cleaned_data["attachments"]
        if not (changes or detail_changes or files):
            messages.info(request, _("Nothing was changed."))
            return redirect("report-detail", reference=reference)
        try:
            services.incident_edit_with_attachments(
                incident=incident,
                actor=request.user,
                changes=changes,
                detail_changes=detail_changes,
                expected_version=form.cleaned_data["version"],
                attachments=files,
            )
        except ValidationError as error:
            route_errors(error, form, detail_form)
            return render_edit_form(request, incident, form, detail_form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return render_edit_form(request, incident, form, detail_form, status=409)
    messages.success(request, _("Your changes were saved."))
    return redirect("report-detail", reference=reference)


@require_POST
@observer_required
def report_answer(request, reference):
    incident = own_report(request, reference)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return render_detail(request, incident, answer_form=form)
    try:
        services.incident_transition(
            incident=incident, to_status=Status.SUBMITTED, actor=request.user, comment=form.cleaned_data["answer"]
        )
    except ValidationError as error:
        route_errors(ValidationError({"answer": error.messages}), form)
        return render_detail(request, incident, answer_form=form)
    except services.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("report-detail", reference=reference)
    messages.success(request, _("Your answer was sent. The report is back with the moderators."))
    return redirect("report-detail", reference=reference)


@require_safe
@observer_required
def report_stations(request):
    """The stations of a region for the filing form's script and the offline app:
    ``{"label": ..., "stations": [[id, label, number], ...]}``."""
    election = selectors.observer_election(request.observer)
    region_id = request.GET.get("region", "")
    region = Region.objects.filter(pk=region_id).first() if region_id.isdigit() else None
    if election is None or region is None:
        return JsonResponse({"label": "", "stations": []})
    _assigned, in_region = selectors.observer_stations(request.observer, election, region)
    return JsonResponse(
        {
            "label": _("Stations in %(region)s") % {"region": region.name},
            "stations": [[station.pk, station_label(station), station.number] for station in in_region],
        }
    )


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def report_api_tokens(request):
    """The observer's API tokens: create one (shown once, on this answer only) or revoke one."""
    new_token, error, status = None, None, 200
    if request.method == "POST":
        if request.POST.get("action") == "create":
            try:
                _row, new_token = services.api_token_issue(user=request.user, actor=request.user)
            except ValidationError as refusal:
                error, status = " ".join(refusal.messages), 400
            except PermissionDenied as refusal:
                # A staff account's token comes from a coordinator in the admin, never from this page.
                error, status = str(refusal), 403
        elif request.POST.get("action") == "revoke":
            if services.api_token_revoke(user=request.user, digest=request.POST.get("digest", ""), actor=request.user):
                messages.success(request, _("The token was revoked: it no longer works."))
            return redirect("report-api-tokens")
    response = render(
        request,
        "report/api_tokens.html",
        {"tokens": list(selectors.api_tokens_of(request.user)), "new_token": new_token, "error": error},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response
