"""Incidents, their kind-specific details and their attachments.

Public and private fields are marked in each model's docstring; the public
shapes (templates, serializers, exports) list the public ones explicitly.
"""

import secrets
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    ChoiceListValidator,
    CoordinatesMixin,
    choices_constraint,
    coordinate_constraints,
    latest_plausible_time,
)
from .vocabularies import (
    AttachmentKind,
    BlockageAuthority,
    BlockageScope,
    BlockageType,
    Charges,
    DatePrecision,
    DenialMethod,
    DeniedBy,
    DeniedPerson,
    DetainedGroup,
    DetentionCircumstance,
    ElectoralStage,
    IncidentKind,
    InternetService,
    Perpetrator,
    ReleaseStatus,
    Source,
    Status,
    Verification,
)

# Crockford's base 32: no I, L, O or U, so a reference read aloud or typed on
# a phone is not mistaken. 32**6 ≈ 10**9 references per election.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
MAX_PEOPLE = 100_000
#: what a public detail page may show: a published incident, or the notice of a retracted one
PUBLICLY_VISIBLE_STATUSES = (Status.PUBLISHED, Status.RETRACTED)


class IncidentQuerySet(models.QuerySet):
    def published(self):
        """What the public may list: published incidents, nothing else."""
        return self.filter(status=Status.PUBLISHED)

    def publicly_visible(self):
        """What a public detail page may show: published, or a retraction notice."""
        return self.filter(status__in=PUBLICLY_VISIBLE_STATUSES)

    def reported_by(self, observer):
        return self.filter(reporter=observer)

    def with_corroboration(self):
        """Annotate ``corroborating_reports``: how many other reports were marked
        as duplicates of each incident. Derived, never stored."""
        duplicates = (
            Incident.objects.filter(duplicate_of=OuterRef("pk"))
            .order_by()
            .values("duplicate_of")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            corroborating_reports=Coalesce(Subquery(duplicates, output_field=models.IntegerField()), Value(0))
        )


class Incident(CoordinatesMixin, models.Model):
    """One reported incident.

    Public once published: reference, election, kind, region, polling station,
    occurred_at and its precision, public_summary, verification, published_at,
    retraction_notice, coordinates (coarsened when ``is_sensitive``).
    Private: description, location_text, reporter, source_url, assignee,
    client token, exact coordinates of a sensitive report.
    """

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    election = models.ForeignKey(
        "incidents.Election", verbose_name=_("election"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=IncidentKind.choices)
    region = models.ForeignKey(
        "incidents.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    polling_station = models.ForeignKey(
        "incidents.PollingStation",
        verbose_name=_("polling station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    location_text = models.CharField(
        _("where"), max_length=500, blank=True, help_text=_("Private: the observer's words.")
    )
    is_sensitive = models.BooleanField(
        _("sensitive location"),
        default=False,
        help_text=_("Coordinates are coarsened to about 10 km on public pages."),
    )
    needs_second_approval = models.BooleanField(
        _("sensitive: two moderators publish"),
        default=False,
        help_text=_("A second moderator must approve publication (always so for a detention that names people)."),
    )
    occurred_at = models.DateTimeField(_("when"))
    occurred_precision = models.CharField(
        _("precision"), max_length=16, choices=DatePrecision.choices, default=DatePrecision.EXACT
    )
    description = models.TextField(_("what happened"), help_text=_("Private: the observer's words."))
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Written by a moderator, with personal data taken out. Shown to the public."),
    )
    public_summary_ru = models.TextField(
        _("public summary (Russian)"), blank=True, help_text=_("Shown to readers of the Russian pages.")
    )
    public_summary_kk = models.TextField(
        _("public summary (Kazakh)"), blank=True, help_text=_("Shown to readers of the Kazakh pages.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.OBSERVER)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    reporter = models.ForeignKey(
        "incidents.Observer",
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_incidents",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    client_token = models.CharField(
        _("client token"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Sent with a submission so that a retry does not file it twice."),
    )
    client_fingerprint = models.CharField(_("submission fingerprint"), max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Raised by every change.")
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    retraction_notice = models.TextField(
        _("retraction notice"), blank=True, help_text=_("Public: why a published incident was retracted.")
    )
    retraction_notice_ru = models.TextField(_("retraction notice (Russian)"), blank=True)
    retraction_notice_kk = models.TextField(_("retraction notice (Kazakh)"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Part of the demonstration data set."))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [
            ("moderate_incident", _("Can moderate incidents")),
            ("reassign_incident", _("Can reassign incidents between moderators")),
        ]
        constraints = [
            choices_constraint("kind", IncidentKind, "incident_kind_valid"),
            choices_constraint("status", Status, "incident_status_valid"),
            choices_constraint("verification", Verification, "incident_verification_valid"),
            choices_constraint("occurred_precision", DatePrecision, "incident_precision_valid"),
            choices_constraint("source", Source, "incident_source_valid"),
            models.CheckConstraint(condition=~Q(duplicate_of=F("pk")), name="incident_not_duplicate_of_itself"),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | ~Q(public_summary=""),
                name="incident_published_has_summary",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(retraction_notice=""),
                name="incident_retracted_has_notice",
            ),
            *coordinate_constraints("incident"),
        ]
        indexes = [
            models.Index(fields=["election", "status", "-occurred_at"], name="incident_public_list"),
            # the overview's latest incidents and the Atom feed: newest published first
            models.Index(fields=["election", "status", "-published_at"], name="incident_public_published"),
            # verification too, so that a list filtered by kind and verification is counted from the index alone
            models.Index(fields=["election", "status", "kind", "verification"], name="incident_by_kind_verification"),
            # kind too, so that counts by region and kind are read from the index alone
            models.Index(fields=["election", "status", "region", "kind"], name="incident_by_region"),
            # a region's incidents between two dates, counted from the index alone
            models.Index(fields=["election", "status", "region", "occurred_at"], name="incident_by_region_time"),
            models.Index(fields=["status", "created_at"], name="incident_queue"),
            models.Index(fields=["occurred_at"], name="incident_occurred"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("incident-detail", args=[self.reference])

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def has_public_page(self):
        """Published, or retracted with its public notice."""
        return self.status in PUBLICLY_VISIBLE_STATUSES

    @staticmethod
    def new_reference(prefix):
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        return f"{prefix}-{code}"

    @property
    def detail(self):
        """The kind-specific detail row, or None for kinds without one."""
        model = DETAIL_MODELS.get(self.kind)
        if model is None:
            return None
        return getattr(self, model._meta.get_field("incident").remote_field.related_name, None)


class IncidentDetail(models.Model):
    """Base of the kind-specific tables, each one-to-one with its incident."""

    kind = None

    class Meta:
        abstract = True

    def clean(self):
        latest = latest_plausible_time()
        future = {
            field.name: _("This time is in the future.")
            for field in self._meta.concrete_fields
            if isinstance(field, models.DateTimeField)
            and getattr(self, field.name)
            and getattr(self, field.name) > latest
        }
        if future:
            raise ValidationError(future)


class Detention(IncidentDetail):
    """Public: counts, groups, by whom, how, release, charges, injuries.
    Private: ``detained_names`` — never published."""

    kind = IncidentKind.DETENTION

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, primary_key=True, related_name="detention")
    people_detained = models.PositiveIntegerField(
        _("people detained"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)],
    )
    people_detained_is_minimum = models.BooleanField(
        _("at least this many"), default=False, help_text=_("The count is a lower bound.")
    )
    detained_groups = models.JSONField(
        _("who was detained"), default=list, blank=True, validators=[ChoiceListValidator(DetainedGroup)]
    )
    detained_by = models.CharField(
        _("detained by"), max_length=16, choices=Perpetrator.choices, default=Perpetrator.UNKNOWN
    )
    circumstances = models.CharField(
        _("how"), max_length=24, choices=DetentionCircumstance.choices, default=DetentionCircumstance.OTHER
    )
    release_status = models.CharField(
        _("released"), max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.UNKNOWN
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    charges = models.CharField(_("charges"), max_length=16, choices=Charges.choices, default=Charges.UNKNOWN)
    injuries_reported = models.BooleanField(_("injuries reported"), null=True, blank=True)
    detained_names = models.TextField(
        _("names of detained people"),
        blank=True,
        help_text=_("Private. Never published, exported or shown outside the staff side."),
    )

    class Meta:
        verbose_name = _("detention")
        verbose_name_plural = _("detentions")
        constraints = [
            models.CheckConstraint(
                condition=Q(people_detained__isnull=True) | Q(people_detained__gte=1, people_detained__lte=MAX_PEOPLE),
                name="detention_people_range",
            ),
            choices_constraint("detained_by", Perpetrator, "detention_by_valid"),
            choices_constraint("circumstances", DetentionCircumstance, "detention_how_valid"),
            choices_constraint("release_status", ReleaseStatus, "detention_release_valid"),
            choices_constraint("charges", Charges, "detention_charges_valid"),
        ]

    def __str__(self):
        return _("Detention details of %(reference)s") % {"reference": self.incident_id and self.incident}


class DeniedAccess(IncidentDetail):
    """All fields public (who, stage, how, reason given, by whom, accreditation)."""

    kind = IncidentKind.DENIED_ACCESS

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, primary_key=True, related_name="denied_access")
    person_role = models.CharField(_("who was kept out"), max_length=24, choices=DeniedPerson.choices)
    people_affected = models.PositiveIntegerField(
        _("people affected"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)],
    )
    stage = models.CharField(_("stage"), max_length=16, choices=ElectoralStage.choices, blank=True)
    methods = models.JSONField(_("how"), default=list, blank=True, validators=[ChoiceListValidator(DenialMethod)])
    reason_given = models.TextField(_("reason given"), blank=True)
    denied_by = models.CharField(_("by whom"), max_length=24, choices=DeniedBy.choices, default=DeniedBy.UNKNOWN)
    accreditation_shown = models.BooleanField(_("accreditation shown"), null=True, blank=True)

    class Meta:
        verbose_name = _("denied access")
        verbose_name_plural = _("denied access")
        constraints = [
            choices_constraint("person_role", DeniedPerson, "denied_access_role_valid"),
            models.CheckConstraint(
                condition=Q(stage="") | Q(stage__in=ElectoralStage.values), name="denied_access_stage_valid"
            ),
            choices_constraint("denied_by", DeniedBy, "denied_access_by_valid"),
            models.CheckConstraint(
                condition=Q(people_affected__isnull=True) | Q(people_affected__gte=1, people_affected__lte=MAX_PEOPLE),
                name="denied_access_people_range",
            ),
        ]

    def __str__(self):
        return _("Denied access details of %(reference)s") % {"reference": self.incident_id and self.incident}


def link_lines(text):
    """The non-empty lines of ``text``, stripped: a list of links typed one a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_link_lines(text):
    validator = URLValidator(schemes=["http", "https"])
    for line in link_lines(text):
        try:
            validator(line)
        except ValidationError:
            raise ValidationError(
                _("“%(line)s” is not a link (one http or https link a line)."), params={"line": line[:100]}
            ) from None


class InternetBlockage(IncidentDetail):
    """All fields public (scope, type, services, providers, times, evidence)."""

    kind = IncidentKind.INTERNET_BLOCKAGE

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, primary_key=True, related_name="internet_blockage"
    )
    scope = models.CharField(_("scope"), max_length=16, choices=BlockageScope.choices)
    blockage_type = models.CharField(_("type"), max_length=16, choices=BlockageType.choices)
    services = models.JSONField(
        _("services affected"), default=list, blank=True, validators=[ChoiceListValidator(InternetService)]
    )
    providers = models.CharField(
        _("providers / ASNs"), max_length=500, blank=True, help_text=_("e.g. Kazakhtelecom (AS9198)")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, help_text=_("Empty while the blockage goes on."))
    measurement_url = models.URLField(
        _("measurement evidence"),
        max_length=500,
        blank=True,
        help_text=_("An OONI measurement or IODA link."),
    )
    official_justification = models.TextField(_("official justification"), blank=True)
    # STOP's ordered_by, gov_ack and info_source_link (docs/blockages.md).
    ordered_by = models.CharField(_("ordered by"), max_length=20, choices=BlockageAuthority.choices, blank=True)
    officially_acknowledged = models.BooleanField(
        _("officially acknowledged"),
        null=True,
        blank=True,
        help_text=_("Did an authority or a provider say that it blocked or slowed the internet?"),
    )
    source_links = models.TextField(
        _("public sources"),
        blank=True,
        validators=[validate_link_lines],
        help_text=_("Links to public reports of the blockage (news, statements), one a line. Shown to the public."),
    )

    class Meta:
        verbose_name = _("internet blockage")
        verbose_name_plural = _("internet blockages")
        constraints = [
            choices_constraint("scope", BlockageScope, "blockage_scope_valid"),
            choices_constraint("blockage_type", BlockageType, "blockage_type_valid"),
            models.CheckConstraint(
                condition=Q(ordered_by="") | Q(ordered_by__in=BlockageAuthority.values),
                name="blockage_ordered_by_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="blockage_end_not_before_start",
            ),
        ]

    def __str__(self):
        return _("Internet blockage details of %(reference)s") % {"reference": self.incident_id and self.incident}

    def clean(self):
        super().clean()
        # The same rule as the blockage_end_not_before_start constraint, said next to the field.
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("The end is before the start.")})

    @property
    def is_ongoing(self):
        return self.ended_at is None

    @property
    def source_link_list(self):
        return link_lines(self.source_links)


DETAIL_MODELS = {model.kind: model for model in (Detention, DeniedAccess, InternetBlockage)}


def attachment_path(instance, filename):
    # The stored name never carries the uploader's file name, which can identify them.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{instance.incident.election_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file sent with a report. Private unless a moderator makes it public;
    ``original_name`` and ``uploaded_by`` are always private."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public page once the incident is published.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["incident", "created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            choices_constraint("kind", AttachmentKind, "attachment_kind_valid"),
            models.UniqueConstraint(fields=["incident", "sha256"], name="attachment_unique_per_incident"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="attachment_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sha256[:12]}"
