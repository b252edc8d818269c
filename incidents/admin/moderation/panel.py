"""The moderation panel above an incident's page, the view its buttons post to, and the dashboard.

Nothing here decides anything: every change is a service call, every "may this user"
a question to ``permissions``, every list a selector.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ... import permissions, selectors, services, workflow
from ...models import Attachment, Election, EventAction, Status
from ..evidence import evidence_context
from .forms import ModerationForm

#: the words on the button that takes an incident to each status
BUTTON_LABELS = {
    Status.IN_REVIEW: _("Claim"),
    Status.VERIFIED: _("Verify"),
    Status.APPROVED: _("Approve for publication"),
    Status.PUBLISHED: _("Publish"),
    Status.NEEDS_INFO: _("Ask the observer"),
    Status.REJECTED: _("Reject"),
    Status.SUBMITTED: _("Release the claim"),
    Status.RETRACTED: _("Retract"),
}
#: content types shown as a picture on the incident page
PREVIEW_TYPES = {"image/jpeg", "image/png", "image/webp"}
#: what the moderation panel keeps as typed across a page load (a draft, not saved)
DRAFT_FIELDS = ("public_summary", "verification", "comment", "duplicate_reference")
#: buttons that use none of the panel's texts: what was typed stays in the form afterwards
KEEPS_DRAFT = ("attachment_public", "reassign", "break_claim")


def draft_key(incident_pk):
    return f"moderation-draft-{incident_pk}"


class ModerationPages:
    """The moderation panel above an incident's page, where its buttons post, and the dashboard."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.moderation_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def moderation_context(self, request, incident):
        user = request.user
        draft = request.session.pop(draft_key(incident.pk), {})
        form = ModerationForm(
            initial={
                "version": incident.version,
                "public_summary": draft.get("public_summary", incident.public_summary),
                "verification": draft.get("verification", ""),
                "comment": draft.get("comment", ""),
                "duplicate_reference": draft.get("duplicate_reference", ""),
                "assignee": incident.assignee_id,
            }
        )
        choices = permissions.available_moves(user, incident)
        buttons = [
            {
                "to_status": choice.to_status.value,
                "label": BUTTON_LABELS[choice.to_status],
                "needs": workflow.needs_for(choice.to_status),
                "steps": [move.action.label for move in choice.moves] if len(choice.moves) > 1 else [],
                "is_default": choice.to_status == Status.PUBLISHED,
            }
            for choice in sorted(choices, key=lambda choice: list(BUTTON_LABELS).index(choice.to_status))
        ]
        can_mark_duplicate = incident.status in workflow.DUPLICATE_STATUSES and any(
            choice.to_status == Status.REJECTED for choice in choices
        )
        attachments = list(incident.attachments.all())
        for attachment in attachments:
            attachment.previewable = attachment.content_type in PREVIEW_TYPES
        return {
            "incident": incident,
            "moderation_form": form,
            "moderation_url": reverse("admin:incidents_incident_moderate", args=[incident.pk]),
            "buttons": buttons,
            "claimed_by_other": incident.assignee_id and incident.assignee_id != user.pk,
            "can_reassign": permissions.can_reassign(user) and incident.status in workflow.ASSIGNED_STATUSES,
            "can_break_claim": incident.assignee_id is not None
            and incident.assignee_id != user.pk
            and incident.status == workflow.CLAIM_ENDINGS[EventAction.CLAIM_BROKEN][0]
            and permissions.is_coordinator(user),
            "claim_minutes": settings.OBSERVER_CLAIM_MINUTES,
            "needs_two_people": permissions.guard_holds(workflow.Guard.TWO_PEOPLE, incident),
            "time_zone": incident.election.time_zone,
            "can_mark_duplicate": can_mark_duplicate,
            "likely_duplicates": selectors.likely_duplicates(incident, user=user) if can_mark_duplicate else [],
            "corroborating": list(incident.duplicates.order_by("created_at", "pk")),
            "attachments": attachments,
            "can_switch_attachments": permissions.is_moderator(user),
            "next_waiting": selectors.next_waiting(exclude=incident, user=user),
            **evidence_context(request, incident),  # a blockage's OONI cross-check (admin/evidence.py)
        }

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="{}_{}_dashboard".format(*info)),
            path(
                "<path:object_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _changed(request, incident, moved):
        if moved.status != incident.status:
            return _("%(reference)s is now “%(status)s”.") % {
                "reference": moved.reference,
                "status": moved.get_status_display(),
            }
        return _("%(reference)s was saved.") % {"reference": moved.reference}

    def moderate_view(self, request, object_id):
        """The moderation panel's buttons post here; the answer is always the incident page."""
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        return require_POST(self._moderate)(request, object_id)

    def _moderate(self, request, object_id):
        # Only a report of the moderator's regions: any other answers 404, as if it did not exist.
        incident = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        page = reverse("admin:incidents_incident_change", args=[incident.pk])
        form = ModerationForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("The form was not complete; reload the page and try again."), messages.ERROR)
            return HttpResponseRedirect(page)
        data = form.cleaned_data
        draft = {key: data[key] for key in DRAFT_FIELDS}
        try:
            message = self._apply(request, incident, data)
        except (services.WorkflowError, ValidationError) as error:
            request.session[draft_key(incident.pk)] = draft
            text = services.error_message(error)
            if isinstance(error, services.IncidentChanged):
                text = _("%(error)s The page now shows it as it is; what you typed is kept.") % {"error": text}
            self.message_user(request, text, messages.ERROR)
        else:
            if any(name in request.POST for name in KEEPS_DRAFT):
                # A summary half written when the photo is made public is not lost.
                request.session[draft_key(incident.pk)] = draft
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(page)

    def _apply(self, request, incident, data):
        """Make the change the pressed button asks for, through its service."""
        post, actor, version = request.POST, request.user, data["version"]
        summary = data["public_summary"].strip()
        if "to_status" in post:
            to_status = post["to_status"]
            with transaction.atomic():
                moved = services.incident_advance(
                    incident=incident,
                    to_status=to_status,
                    actor=actor,
                    expected_version=version,
                    comment=data["comment"],
                    verification=data["verification"] or None,
                    public_summary=summary,
                )
                if to_status != Status.PUBLISHED and summary != moved.public_summary:
                    # Keep the summary typed on the way (a draft until publishing).
                    moved = services.incident_edit(incident=moved, actor=actor, changes={"public_summary": summary})
            return self._changed(request, incident, moved)
        if "break_claim" in post:
            moved = services.incident_claim_break(
                incident=incident, actor=actor, comment=data["break_reason"], expected_version=version
            )
            return _("%(reference)s is back in the queue.") % {"reference": moved.reference}
        if "save_summary" in post:
            moved = services.incident_edit(
                incident=incident, actor=actor, changes={"public_summary": summary}, expected_version=version
            )
            return _("The public summary of %(reference)s was saved.") % {"reference": moved.reference}
        if "reassign" in post:
            if data["assignee"] is None:
                raise ValidationError(_("Choose the moderator to give it to."))
            moved = services.incident_reassign(
                incident=incident, assignee=data["assignee"], actor=actor, expected_version=version
            )
            return _("%(reference)s is now assigned to %(user)s.") % {
                "reference": moved.reference,
                "user": data["assignee"].get_username(),
            }
        if "duplicate_of" in post or "mark_duplicate" in post:
            primary = self._primary(self.get_queryset(request), post.get("duplicate_of"), data["duplicate_reference"])
            moved = services.incident_mark_duplicate(
                incident=incident, primary=primary, actor=actor, comment=data["comment"], expected_version=version
            )
            return _("%(reference)s was marked as a duplicate of %(primary)s.") % {
                "reference": moved.reference,
                "primary": primary.reference,
            }
        if "attachment_public" in post:
            pk, _sep, value = post["attachment_public"].partition(":")
            attachment = get_object_or_404(Attachment, pk=pk if pk.isdigit() else 0, incident=incident)
            attachment = services.attachment_set_public(
                attachment=attachment, is_public=value == "1", actor=actor, expected_version=version
            )
            if attachment.is_public:
                return _("The file is public once the incident is published.")
            return _("The file is private.")
        raise ValidationError(_("Nothing was asked for."))

    @staticmethod
    def _primary(incidents, pk, reference):
        reference = reference.strip()
        primary = None
        if pk and pk.isdigit():
            primary = incidents.filter(pk=pk).first()
        elif reference:
            primary = incidents.filter(reference__iexact=reference).first()
        if primary is None:
            raise ValidationError(_("There is no report with this reference."))
        return primary

    # The dashboard

    def dashboard_view(self, request):
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        elections = list(Election.objects.order_by("-is_current", "-election_day"))
        chosen = request.GET.get("election", "")
        election = next((e for e in elections if str(e.pk) == chosen), elections[0] if elections else None)
        context = {
            **self.admin_site.each_context(request),
            **selectors.moderation_dashboard(election, user=request.user),
            "opts": self.opts,
            "title": _("Moderation dashboard"),
            "elections": elections,
            "media": self.media,
            "queue_url": reverse("admin:incidents_incident_changelist"),
        }
        return TemplateResponse(request, "admin/incidents/incident/dashboard.html", context)
