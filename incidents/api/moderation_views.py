"""Staff endpoints: the moderation queue and one move at a time through ``incident_transition``.

A move that does not exist from the current status, or that lost a race
with another moderator, answers 409; a move this user may not make (another
moderator's claim, an observer's move) answers 403.
"""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response

from .. import selectors, services
from . import moderation_serializers as shapes
from .moderation_filters import ModerationQueueFilter
from .pagination import QueuePagination
from .permissions import IsModerator


class ModeratorView(generics.GenericAPIView):
    permission_classes = [IsModerator]

    def incident(self, reference):
        incident = selectors.moderation_incident(self.request.user, reference.upper())
        if incident is None:
            raise exceptions.NotFound(
                _("There is no incident with the reference %(reference)s.") % {"reference": reference}
            )
        incident.history = list(selectors.incident_history(incident))
        return incident

    def incident_response(self, reference):
        return Response(
            shapes.StaffIncidentSerializer(self.incident(reference), context=self.get_serializer_context()).data
        )


@extend_schema(
    tags=["moderation"],
    summary="The moderation queue",
    description="Oldest report first. Without `status`, the reports that wait for a moderator.",
)
class QueueList(ModeratorView, generics.ListAPIView):
    serializer_class = shapes.QueueIncidentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ModerationQueueFilter
    pagination_class = QueuePagination

    def get_queryset(self):
        return selectors.moderation_queue(self.request.user)


@extend_schema(tags=["moderation"], summary="One incident, with its history and the moves open now")
class IncidentDetail(ModeratorView):
    serializer_class = shapes.StaffIncidentSerializer

    def get(self, request, reference):
        return self.incident_response(reference)


@extend_schema(
    tags=["moderation"],
    summary="Move an incident to another status",
    description=(
        "One move of the workflow, checked and recorded as in the admin. 409: the move does not exist from "
        "the current status, or someone changed the incident since `expected_version`. 403: this user may "
        "not make it (the incident is claimed by another moderator, or the move is the observer's). 400: "
        "something the move needs is missing (a reason, a verification level, a public summary free of "
        "personal data)."
    ),
    request=shapes.TransitionSerializer,
    responses={200: shapes.StaffIncidentSerializer},
)
class IncidentTransition(ModeratorView):
    serializer_class = shapes.TransitionSerializer

    def post(self, request, reference):
        incident = self.incident(reference)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = serializer.validated_data
        services.incident_transition(
            incident=incident,
            to_status=move["to"],
            actor=request.user,
            comment=move.get("comment", ""),
            expected_version=move.get("expected_version"),
            verification=move.get("verification"),
            public_summary=move.get("public_summary"),
        )
        return self.incident_response(reference)
