"""Text messages received from SMS gateways. Everything here is private: the
sender's number and the text never reach a public page, export, feed or API answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import choices_constraint


class SmsStatus(models.TextChoices):
    REPORT_MADE = "report", _("Report made")
    INBOX = "inbox", _("In the SMS inbox")
    DISMISSED = "dismissed", _("Dismissed")
    ANSWERED = "answered", _("Answered (codes sent)")


class SmsMessage(models.Model):
    """One inbound message, stored once per gateway message id.

    ``status``: a report was made from it (``incident``), it waits in the
    inbox for a moderator (``problem`` says why), a moderator dismissed it
    (``dismiss_reason``), or it asked for the codes and was answered.
    ``reply`` is the answer sent back; a repeat of the message gets it again.
    """

    gateway = models.CharField(_("gateway"), max_length=32)
    gateway_message_id = models.CharField(_("gateway message id"), max_length=128)
    sender = models.CharField(_("sender"), max_length=20, help_text=_("The sender's number in E.164 form."))
    observer = models.ForeignKey(
        "incidents.Observer",
        verbose_name=_("observer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
    )
    text = models.TextField(_("text"))
    text_digest = models.CharField(
        _("text digest"), max_length=64, editable=False, help_text=_("The text's words, hashed: finds the same text.")
    )
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=SmsStatus.choices, default=SmsStatus.INBOX)
    problem = models.CharField(_("problem"), max_length=32, blank=True, help_text=_("Why no report was made."))
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
    )
    reply = models.TextField(_("answer sent"), blank=True)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS inbox")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_message_id"], name="sms_once_per_gateway_id"),
            choices_constraint("status", SmsStatus, "sms_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=SmsStatus.REPORT_MADE) | Q(incident__isnull=False), name="sms_report_has_incident"
            ),
            models.CheckConstraint(
                condition=~Q(status=SmsStatus.DISMISSED) | ~Q(dismiss_reason=""), name="sms_dismissed_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["sender", "text_digest", "-received_at"], name="sms_same_text"),
            models.Index(fields=["status", "-received_at"], name="sms_inbox"),
        ]

    def __str__(self):
        return f"{self.gateway}:{self.gateway_message_id}"


class SmsUnknownSenderAnswer(models.Model):
    """One answer a day at most to a number that is no observer's (no amplification): the unique
    constraint is the limit."""

    sender = models.CharField(_("sender"), max_length=20)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("answer to an unknown number")
        verbose_name_plural = _("answers to unknown numbers")
        constraints = [models.UniqueConstraint(fields=["sender", "day"], name="sms_one_answer_a_day")]

    def __str__(self):
        return f"{self.sender} {self.day}"
