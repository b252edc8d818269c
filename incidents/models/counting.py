"""Counting: observers' copies of the signed result protocols, and the PVT sample.

The lines of a protocol are data of each election (``ProtocolLine``), party votes
come from the election's parties: nothing here names a line of one country's form.
An observer, the photo of a sheet (unless made public) and a copy that is not
verified never reach a public page: see ``ProtocolCopyQuerySet.counted``.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import TranslatedNameMixin, choices_constraint
from .events import HistoryStep


class LineRole(models.TextChoices):
    """What a protocol line means to the checks and the estimate (each at most once per election)."""

    REGISTERED = "registered", _("Registered voters")
    RECEIVED = "received", _("Ballots received")
    ISSUED = "issued", _("Ballots issued")
    CAST = "cast", _("Ballots cast")
    INVALID = "invalid", _("Invalid ballots")
    VALID = "valid", _("Valid ballots")
    OTHER = "other", _("Other line")


class CopyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Question to the observer")
    VERIFIED = "verified", _("Verified against the photo")
    REJECTED = "rejected", _("Rejected")


class CopyAction(models.TextChoices):
    FILED = "filed", _("Filed")
    CORRECTED = "corrected", _("Corrected by the observer")
    VERIFIED = "verified", _("Verified")
    ASKED = "asked", _("Question to the observer")
    REJECTED = "rejected", _("Rejected")
    CONFLICT = "conflict", _("Conflict with another copy")
    SETTLED = "settled", _("Conflict settled")


class SampleStrata(models.TextChoices):
    REGION = "region", _("Region")
    REGION_AREA = "region_area", _("Region, urban and rural apart")


class ProtocolLine(TranslatedNameMixin, models.Model):
    """One line of an election's result protocol, in the order of the sheet."""

    election = models.ForeignKey(
        "incidents.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="protocol_lines"
    )
    code = models.SlugField(_("code"), max_length=32, help_text=_("Short and stable, e.g. cast or line_8."))
    role = models.CharField(_("role"), max_length=16, choices=LineRole.choices, default=LineRole.OTHER)
    position = models.PositiveSmallIntegerField(_("position on the sheet"))

    class Meta:
        ordering = ["election", "position"]
        verbose_name = _("protocol line")
        verbose_name_plural = _("protocol lines")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="protocol_line_code_unique"),
            models.UniqueConstraint(fields=["election", "position"], name="protocol_line_position_unique"),
            models.UniqueConstraint(
                fields=["election", "role"], condition=~Q(role=LineRole.OTHER), name="protocol_line_role_once"
            ),
            choices_constraint("role", LineRole, "protocol_line_role_valid"),
            models.CheckConstraint(condition=~Q(code__startswith="party-"), name="protocol_line_code_not_party"),
        ]

    def __str__(self):
        return self.name


class ProtocolCopyQuerySet(models.QuerySet):
    def counted(self):
        """The copies that count: verified and in no open conflict. The only ones any public surface reads."""
        return self.filter(status=CopyStatus.VERIFIED, in_conflict=False)

    def open(self):
        """Copies still in play (not rejected): the ones compared for conflicts."""
        return self.exclude(status=CopyStatus.REJECTED)


def protocol_photo_path(instance, filename):
    # As for attachments: a random name, never the uploader's.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"protocols/{instance.election_id}/{uuid.uuid4().hex}{suffix}"


class ProtocolCopy(models.Model):
    """An observer's copy of the result protocol signed at one polling station.

    ``lines`` maps each ``ProtocolLine.code`` to its figure, ``party_votes`` each
    party's id (as a string) to its votes. ``check_results`` keeps, with the copy,
    the outcome of every rule of ``incidents.results.checks`` when it was filed.
    """

    election = models.ForeignKey(
        "incidents.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="protocol_copies"
    )
    polling_station = models.ForeignKey(
        "incidents.PollingStation",
        verbose_name=_("polling station"),
        on_delete=models.PROTECT,
        related_name="protocol_copies",
    )
    observer = models.ForeignKey(
        "incidents.Observer", verbose_name=_("observer"), on_delete=models.PROTECT, related_name="protocol_copies"
    )
    copied_at = models.DateTimeField(_("copied at"), help_text=_("When the observer copied the signed sheet."))
    lines = models.JSONField(_("protocol lines"), default=dict)
    party_votes = models.JSONField(_("votes per party"), default=dict)
    check_results = models.JSONField(_("check results"), default=list, editable=False)
    checks_passed = models.BooleanField(_("all checks passed"), default=True, editable=False)
    photo = models.FileField(_("photo of the sheet"), upload_to=protocol_photo_path, max_length=255, blank=True)
    photo_content_type = models.CharField(_("photo type"), max_length=100, blank=True, editable=False)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True, editable=False)
    photo_is_public = models.BooleanField(
        _("photo public"), default=False, help_text=_("Shown to the public only when a moderator says so.")
    )
    status = models.CharField(_("status"), max_length=16, choices=CopyStatus.choices, default=CopyStatus.SUBMITTED)
    in_conflict = models.BooleanField(
        _("in conflict"), default=False, help_text=_("Disagrees with another copy of the station; counts for nothing.")
    )
    client_token = models.CharField(
        _("client token"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Sent with a copy so that a retry does not file it twice."),
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Invented for the demonstration."))

    objects = ProtocolCopyQuerySet.as_manager()

    class Meta:
        ordering = ["polling_station__number", "created_at"]
        verbose_name = _("protocol copy")
        verbose_name_plural = _("protocol copies")
        permissions = [("verify_protocolcopy", _("Can verify protocol copies"))]
        constraints = [
            choices_constraint("status", CopyStatus, "protocol_copy_status_valid"),
            models.UniqueConstraint(fields=["observer", "polling_station"], name="protocol_copy_one_per_observer"),
            models.CheckConstraint(
                condition=Q(photo_sha256="") | Q(photo_sha256__regex=r"^[0-9a-f]{64}$"),
                name="protocol_copy_photo_sha256_hex",
            ),
            models.CheckConstraint(condition=~Q(photo_is_public=True, photo=""), name="protocol_copy_public_photo"),
        ]
        indexes = [
            models.Index(fields=["election", "status", "in_conflict"], name="protocol_copy_counted"),
            models.Index(fields=["polling_station", "status"], name="protocol_copy_station"),
        ]

    def __str__(self):
        return _("Copy of station %(number)s") % {"number": self.polling_station.number}


class ProtocolCopyEvent(HistoryStep):
    """What happened to a copy, and so to its station: rows only ever added, by the services."""

    copy = models.ForeignKey(ProtocolCopy, verbose_name=_("copy"), on_delete=models.PROTECT, related_name="events")
    polling_station = models.ForeignKey(
        "incidents.PollingStation", verbose_name=_("polling station"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=CopyAction.choices)

    class Meta(HistoryStep.Meta):
        verbose_name = _("protocol copy event")
        verbose_name_plural = _("protocol copy events")
        constraints = [choices_constraint("action", CopyAction, "protocol_copy_event_action_valid")]

    def __str__(self):
        return f"{self.copy_id}: {self.get_action_display()}"


class PvtSample(models.Model):
    """The stratified random draw of stations for one election's PVT.

    The fingerprint is public from the draw on; the seed and the list of stations
    only once ``published`` is set, after the polls close.
    """

    election = models.OneToOneField(
        "incidents.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="pvt_sample"
    )
    seed = models.CharField(_("seed"), max_length=128, help_text=_("Secret until the polls close."))
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64)
    strata = models.CharField(_("strata"), max_length=16, choices=SampleStrata.choices, default=SampleStrata.REGION)
    wanted_margin = models.DecimalField(
        _("wanted margin of error"), max_digits=5, decimal_places=4, help_text=_("As a share: 0.02 is ±2 points.")
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published = models.BooleanField(
        _("list published"), default=False, help_text=_("The seed and the stations are public (after the polls close).")
    )
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Invented for the demonstration."))

    class Meta:
        verbose_name = _("PVT sample")
        verbose_name_plural = _("PVT samples")
        constraints = [
            choices_constraint("strata", SampleStrata, "pvt_sample_strata_valid"),
            models.CheckConstraint(
                condition=Q(fingerprint__regex=r"^[0-9a-f]{64}$"), name="pvt_sample_fingerprint_hex"
            ),
            models.CheckConstraint(
                condition=Q(wanted_margin__gt=0, wanted_margin__lt=1), name="pvt_sample_margin_range"
            ),
            models.CheckConstraint(condition=~Q(seed=""), name="pvt_sample_has_seed"),
        ]

    def __str__(self):
        return _("PVT sample of %(election)s") % {"election": self.election}


class PvtStation(models.Model):
    """A station drawn into a PVT sample, with the stratum it was drawn from."""

    sample = models.ForeignKey(PvtSample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="stations")
    polling_station = models.ForeignKey(
        "incidents.PollingStation",
        verbose_name=_("polling station"),
        on_delete=models.PROTECT,
        related_name="pvt_entries",
    )
    stratum = models.CharField(_("stratum"), max_length=64)

    class Meta:
        ordering = ["sample", "stratum", "polling_station__number"]
        verbose_name = _("sampled station")
        verbose_name_plural = _("sampled stations")
        constraints = [
            models.UniqueConstraint(fields=["sample", "polling_station"], name="pvt_station_once"),
        ]

    def __str__(self):
        return str(self.polling_station)
