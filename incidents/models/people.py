"""Observers and their organizations. Everything here is private."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..sms.phones import normalize_phone
from .base import choices_constraint
from .vocabularies import ObserverKind, OrganizationKind


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Invented for the demonstration."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [choices_constraint("kind", OrganizationKind, "organization_kind_valid")]

    def __str__(self):
        return self.name


class Observer(models.Model):
    """The observer profile of a user account. Never shown to the public."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="observer_profile",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observers",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ObserverKind.choices)
    accreditation_number = models.CharField(_("accreditation number"), max_length=64, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text=_("Kept in E.164 form (+77015550123); SMS reports from this number are theirs."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Of SMS answers; empty: the language of the message."),
    )
    sms_pin = models.CharField(_("SMS PIN"), max_length=128, blank=True, editable=False)
    sms_pin_failures = models.PositiveSmallIntegerField(_("wrong SMS PINs in a row"), default=0, editable=False)
    sms_locked_until = models.DateTimeField(_("SMS paused until"), null=True, blank=True, editable=False)
    assigned_stations = models.ManyToManyField(
        "incidents.PollingStation",
        verbose_name=_("assigned polling stations"),
        blank=True,
        related_name="observers",
    )
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Invented for the demonstration."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("observer")
        verbose_name_plural = _("observers")
        constraints = [choices_constraint("kind", ObserverKind, "observer_kind_valid")]
        indexes = [models.Index(fields=["phone"], name="observer_phone")]

    def __str__(self):
        return self.user.get_username()

    def save(self, *args, **kwargs):
        # One form for every number, so that the number an SMS comes from finds its observer.
        self.phone = normalize_phone(self.phone) or self.phone.strip()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.phone and normalize_phone(self.phone) is None:
            raise ValidationError({"phone": _("This is not a phone number.")})


class ModeratorScope(models.Model):
    """The regions a moderator moderates, set by a coordinator. A region covers its sub-regions.

    A moderator without a scope moderates every region; a coordinator always does
    (``permissions.moderation_scope``). Reports with no region are for coordinators and
    for moderators without a scope.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.CASCADE,
        related_name="moderator_scope",
    )
    regions = models.ManyToManyField(
        "incidents.Region",
        verbose_name=_("regions"),
        related_name="moderator_scopes",
        help_text=_("The moderator sees only reports of these regions and their sub-regions."),
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("moderator's regions")
        verbose_name_plural = _("moderators' regions")

    def __str__(self):
        return self.user.get_username()


class StaffTokenGrant(models.Model):
    """The mark of an API token that a coordinator issued for a staff account under a verified session.

    Only such a token carries staff powers over the API; any other token a staff account holds is an
    observer's token (docs/security.md, "API tokens").
    """

    token = models.OneToOneField(
        "knox.AuthToken",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_grant",
        verbose_name=_("token"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff token grant")
        verbose_name_plural = _("staff token grants")

    def __str__(self):
        return f"{self.token_id[:8]}… by {self.issued_by_id}"
