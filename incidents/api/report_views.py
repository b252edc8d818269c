"""The observer's endpoints: their own reports only, by token or session.

Another observer's report answers 404, as one that does not exist. Writes
go through the same services as the web forms: ``incident_submit_with_attachments``,
``incident_edit_with_attachments`` and ``incident_transition``.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from .. import permissions, selectors, services
from ..models import Status
from . import idempotency
from . import report_serializers as shapes
from .pagination import OwnReportPagination
from .permissions import IsObserver

JSON_DETAILS = {"details": {"contentType": "application/json"}}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=(
        "Made up by the client, one per report (a UUID, say), and sent with every try of it. A retry with the "
        "same key and body answers 200 with the report already filed (header `Idempotent-Replayed: true`); "
        "the same key with another body answers 409. Keys are per observer."
    ),
)


class ObserverView(generics.GenericAPIView):
    permission_classes = [IsObserver]

    @property
    def observer(self):
        return permissions.observer_of(self.request.user)

    def is_multipart(self):
        return (self.request.content_type or "").startswith("multipart/")

    def own_report(self, reference):
        incident = selectors.observer_report(self.observer, reference.upper())
        if incident is None:
            raise exceptions.NotFound(
                _("You have no report with the reference %(reference)s.") % {"reference": reference}
            )
        return incident

    def report_response(self, incident, status_code=status.HTTP_200_OK, headers=None, history=None):
        if history is None:
            history = list(selectors.observer_report_history(incident))
        context = {**self.get_serializer_context(), "history": history}
        data = shapes.OwnReportSerializer(incident, context=context).data
        return Response(data, status=status_code, headers=headers)


@extend_schema(tags=["observer"])
@extend_schema_view(get=extend_schema(summary="My reports, newest first"))
class ReportList(ObserverView, generics.ListAPIView):
    pagination_class = OwnReportPagination
    serializer_class = shapes.OwnReportSummarySerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.observer_reports(self.observer)

    @extend_schema(
        summary="File a report",
        description=(
            "A report of any kind for the current election, with its details and (in multipart/form-data) its "
            "files, in one request: the report, its details and its files are saved together or not at all. "
            "Answers 201 with the new report, or 200 with the report already filed by an earlier try with the "
            "same `Idempotency-Key`."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request={
            "application/json": shapes.ReportCreateSerializer,
            "multipart/form-data": OpenApiRequest(shapes.ReportCreateWithFilesSerializer, encoding=JSON_DETAILS),
        },
        responses={
            201: OpenApiResponse(shapes.OwnReportSerializer, description="Filed."),
            200: OpenApiResponse(shapes.OwnReportSerializer, description="Already filed by an earlier try."),
        },
    )
    def post(self, request):
        election = selectors.observer_election(self.observer)
        serializer_class = (
            shapes.ReportCreateWithFilesSerializer if self.is_multipart() else shapes.ReportCreateSerializer
        )
        with timezone.override(election.zone if election else timezone.get_current_timezone()):
            serializer = serializer_class(
                data=request.data, context={**self.get_serializer_context(), "election": election}
            )
            serializer.is_valid(raise_exception=True)
        key = idempotency.key_from(request)
        files = serializer.validated_data.get("attachments", [])
        submission = {
            "reporter": self.observer,
            "election": election,
            **serializer.submission_values(),
        }
        if key is not None:
            submission["client_token"] = idempotency.client_token(self.observer, key)
            submission["client_fingerprint"] = idempotency.fingerprint(serializer.canonical(), files)
        # A retry is answered with the report already filed (another body is refused, 409);
        # its files are not read again.
        result = services.existing_submission(
            reporter=self.observer,
            client_token=submission.get("client_token"),
            client_fingerprint=submission.get("client_fingerprint"),
        ) or services.incident_submit_with_attachments(attachments=files, existing_checked=True, **submission)
        if result.created:
            # Without files its one step is in memory; with them, their step and rows are read.
            incident, history = selectors.observer_report_as_filed(
                result.incident, events=None if files else result.events, without_files=not files
            )
        else:
            incident, history = selectors.observer_report(self.observer, result.incident.reference), None
        headers = {"Location": request.build_absolute_uri(f"{request.path}{incident.reference}/")}
        if key is not None:
            headers["Idempotent-Replayed"] = "false" if result.created else "true"
        return self.report_response(
            incident, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK, headers, history
        )


@extend_schema(tags=["observer"])
class ReportDetail(ObserverView):
    serializer_class = shapes.OwnReportSerializer

    @extend_schema(summary="One of my reports, with the steps I may see")
    def get(self, request, reference):
        return self.report_response(self.own_report(reference))

    @extend_schema(
        summary="Edit my report",
        description=(
            "While the report is submitted or needs information. Only the fields sent are changed; `details` "
            "changes the detail fields it names; files (multipart) are added. `version` must be the report's "
            "version as last read, else nothing is saved (409). A report with the moderators answers 403."
        ),
        request={
            "application/json": shapes.ReportEditSerializer,
            "multipart/form-data": OpenApiRequest(shapes.ReportEditWithFilesSerializer, encoding=JSON_DETAILS),
        },
        responses={200: shapes.OwnReportSerializer},
    )
    def patch(self, request, reference):
        incident = self.own_report(reference)
        serializer_class = shapes.ReportEditWithFilesSerializer if self.is_multipart() else shapes.ReportEditSerializer
        context = {**self.get_serializer_context(), "election": incident.election}
        with timezone.override(incident.election.zone):
            serializer = serializer_class(incident, data=request.data, partial=True, context=context)
            serializer.is_valid(raise_exception=True)
        services.incident_edit_with_attachments(incident=incident, actor=request.user, **serializer.validated_data)
        return self.report_response(self.own_report(reference))


@extend_schema(
    tags=["observer"],
    summary="Answer the moderator's question",
    description=(
        "Sends the answer and gives the report back to the moderators. Only while it needs information (else 409)."
    ),
    request=shapes.AnswerSerializer,
    responses={200: shapes.OwnReportSerializer},
)
class ReportAnswer(ObserverView):
    serializer_class = shapes.AnswerSerializer

    def post(self, request, reference):
        incident = self.own_report(reference)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.incident_transition(
            incident=incident,
            to_status=Status.SUBMITTED,
            actor=request.user,
            comment=serializer.validated_data["answer"],
        )
        return self.report_response(self.own_report(reference))
