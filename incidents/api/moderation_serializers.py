"""Staff shapes: the moderation queue, one incident as a moderator sees it, a move.

Even here the API never says who filed a report: moderators decide on what
was reported, and the admin shows the reporter to staff who need to reach them.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import permissions
from ..models import DatePrecision, EventAction, IncidentKind, Source, Status, Verification
from .fields import StrictInput
from .report_serializers import DETAIL_READ_SERIALIZERS, DETAILS_SCHEMA, MAX_DESCRIPTION


class QueueIncidentSerializer(serializers.Serializer):
    reference = serializers.CharField(read_only=True)
    election = serializers.SlugField(source="election.slug", read_only=True)
    kind = serializers.ChoiceField(IncidentKind.choices, read_only=True)
    status = serializers.ChoiceField(Status.choices, read_only=True)
    verification = serializers.ChoiceField(Verification.choices, read_only=True)
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    polling_station = serializers.CharField(
        source="polling_station.number", read_only=True, allow_null=True, default=None
    )
    occurred_at = serializers.DateTimeField(read_only=True)
    occurred_precision = serializers.ChoiceField(DatePrecision.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When the report came in."))
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True, default=None, help_text=_("Who holds the claim.")
    )
    claimed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True, help_text=_("Send it as expected_version with a move."))


class StaffAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    is_public = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return self.context["request"].build_absolute_uri(reverse("attachment-file", args=[attachment.pk]))


class StaffEventSerializer(serializers.Serializer):
    """A step of the history. Steps of the observer who filed the report say so, without naming them."""

    action = serializers.ChoiceField(EventAction.choices, read_only=True)
    actor = serializers.SerializerMethodField(help_text=_("The staff member who made the step; null for the observer."))
    by_reporter = serializers.SerializerMethodField(help_text=_("Made by the observer who filed the report."))
    created_at = serializers.DateTimeField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    changes = serializers.DictField(read_only=True, help_text=_("Each changed field: [before, after]."))
    visible_to_observer = serializers.BooleanField(read_only=True)

    def get_by_reporter(self, event) -> bool:
        return event.actor_id is not None and event.actor_id == self.context["reporter_user_id"]

    def get_actor(self, event) -> str | None:
        if event.actor_id is None or self.get_by_reporter(event):
            return None
        return event.actor.get_username()


class StaffIncidentSerializer(QueueIncidentSerializer):
    """One incident as a moderator sees it, with its whole history and the moves open to them now."""

    description = serializers.CharField(read_only=True)
    location_text = serializers.CharField(read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    is_sensitive = serializers.BooleanField(read_only=True)
    public_summary = serializers.CharField(read_only=True)
    retraction_notice = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(Source.choices, read_only=True)
    source_url = serializers.CharField(read_only=True)
    duplicate_of = serializers.CharField(source="duplicate_of.reference", read_only=True, allow_null=True, default=None)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    details = serializers.SerializerMethodField(allow_null=True)
    attachments = StaffAttachmentSerializer(source="attachments.all", many=True, read_only=True)
    available_moves = serializers.SerializerMethodField(
        help_text=_("The statuses this user may move the incident to now, one move away.")
    )
    events = serializers.SerializerMethodField()

    @extend_schema_field(DETAILS_SCHEMA)
    def get_details(self, incident):
        serializer_class = DETAIL_READ_SERIALIZERS.get(incident.kind)
        detail = incident.detail
        return serializer_class(detail).data if serializer_class and detail is not None else None

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_events(self, incident):
        context = {**self.context, "reporter_user_id": incident.reporter_user_id}
        return StaffEventSerializer(incident.history, many=True, context=context).data

    def get_available_moves(self, incident) -> list[str]:
        moves = permissions.available_moves(self.context["request"].user, incident)
        return [str(choice.to_status) for choice in moves if len(choice.route) == 1]


class TransitionSerializer(StrictInput):
    to = serializers.ChoiceField(Status.choices, help_text=_("The status to move the incident to (one move)."))
    comment = serializers.CharField(
        max_length=MAX_DESCRIPTION,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Recorded with the move. Required to ask (the question), reject (the reason) and retract "
            "(the public notice)."
        ),
    )
    verification = serializers.ChoiceField(
        Verification.choices, required=False, allow_null=True, help_text=_("Required to verify.")
    )
    public_summary = serializers.CharField(
        max_length=MAX_DESCRIPTION,
        required=False,
        allow_null=True,
        help_text=_("To publish: the public summary (else the one saved); checked for personal data."),
    )
    expected_version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text=_("The version last read: if the incident changed since, nothing happens (409)."),
    )
