"""The append-only history of every incident, and the step every such history is made of."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import AppendOnlyModel, AppendOnlyQuerySet, choices_constraint
from .vocabularies import EventAction


class HistoryStepQuerySet(AppendOnlyQuerySet):
    def visible_to_observer(self):
        return self.filter(visible_to_observer=True)


class HistoryStep(AppendOnlyModel):
    """One step of an append-only history (of an incident, of a protocol copy): who, when, from
    and to, why, what changed, and whether the observer sees it. Subclasses add what the step
    is of and their own ``action`` choices."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    visible_to_observer = models.BooleanField(_("visible to the observer"), default=False)

    objects = HistoryStepQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class IncidentEvent(HistoryStep):
    """Something that happened to an incident: who, when, from and to, why.

    Rows are only ever added, by the services, inside the transaction of the
    change they record.
    """

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)

    class Meta(HistoryStep.Meta):
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        constraints = [choices_constraint("action", EventAction, "event_action_valid")]

    def __str__(self):
        return f"{self.incident_id}: {self.get_action_display()}"
