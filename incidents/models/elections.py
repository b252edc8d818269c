"""Reference data: elections, geography, polling stations, parties, results."""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..geometry import parse_outline
from .base import (
    AppendOnlyModel,
    CoordinatesMixin,
    TranslatedNameMixin,
    choices_constraint,
    coordinate_constraints,
    in_language,
    translated_text,
    validate_time_zone,
)
from .vocabularies import ElectionKind, RegionLevel, ResultStage

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


def percent(part, whole):
    """``part`` as a percentage of ``whole`` to two places, or None if unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


class Election(TranslatedNameMixin, models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ElectionKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 code, e.g. KZ."))],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. KZ."),
    )
    election_day = models.DateField(_("election day"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times of this election are shown in this zone, e.g. Asia/Almaty."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,8}$", _("2 to 8 capital letters or digits."))],
        help_text=_("Starts every incident reference of this election, e.g. KZ21."),
    )
    seats_total = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    threshold_percent = models.DecimalField(
        _("threshold %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    is_current = models.BooleanField(
        _("current"),
        default=False,
        help_text=_("The election the public pages open on. Only one can be current."),
    )

    class Meta:
        ordering = ["-election_day"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_election"),
            choices_constraint("kind", ElectionKind, "election_kind_valid"),
            models.CheckConstraint(
                condition=Q(threshold_percent__isnull=True) | Q(threshold_percent__gte=0, threshold_percent__lte=100),
                name="election_threshold_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)


def validate_outline(text):
    if text:
        parse_outline(text)


class Region(TranslatedNameMixin, CoordinatesMixin, models.Model):
    """A unit of geography. It outlives elections, so it belongs to none."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9.-]*$", _("Capital letters, digits, '-' and '.'."))],
        help_text=_("ISO 3166-2 where one exists, e.g. KZ-75 for Almaty city."),
    )
    country = models.CharField(_("country"), max_length=2)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    centre = models.CharField(_("administrative centre"), max_length=255, blank=True)
    centre_ru = models.CharField(_("administrative centre (Russian)"), max_length=255, blank=True)
    centre_kk = models.CharField(_("administrative centre (Kazakh)"), max_length=255, blank=True)
    geometry = models.TextField(
        _("outline"),
        blank=True,
        validators=[validate_outline],
        help_text=_("GeoJSON Polygon or MultiPolygon in WGS 84 degrees, simplified (a few kilobytes)."),
    )
    geometry_source = models.CharField(
        _("outline source"),
        max_length=255,
        blank=True,
        help_text=_("Where the outline comes from and its licence, shown under the map."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            choices_constraint("level", RegionLevel, "region_level_valid"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="region_not_own_parent"),
            *coordinate_constraints("region"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("region-detail", args=[self.code])

    @property
    def centre_name(self):
        """The administrative centre in the active language, else in English."""
        return in_language(self, "centre", get_language(), fallback=self.centre)


class Area(models.TextChoices):
    """Urban or rural, for a PVT drawn with the two apart (empty when unknown)."""

    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class PollingStation(CoordinatesMixin, models.Model):
    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="polling_stations"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="polling_stations"
    )
    number = models.CharField(_("number"), max_length=32, help_text=_("The station's number, unique in its election."))
    name = models.CharField(_("name"), max_length=255, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    registered_voters = models.PositiveIntegerField(_("registered voters"), null=True, blank=True)
    area = models.CharField(_("urban or rural"), max_length=8, choices=Area.choices, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Invented for the demonstration."))

    class Meta:
        ordering = ["election", "number"]
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="polling_station_number_unique_per_election"),
            models.CheckConstraint(condition=Q(area__in=["", *Area.values]), name="polling_station_area_valid"),
            *coordinate_constraints("polling_station"),
        ]
        indexes = [models.Index(fields=["election", "region"])]

    def __str__(self):
        if self.name:
            return _("Station %(number)s, %(name)s") % {"number": self.number, "name": self.name}
        return _("Station %(number)s") % {"number": self.number}

    @property
    def name_text(self):
        """The station's name in the reader's language (``TranslatedText``)."""
        return translated_text(self, "name")


class Party(TranslatedNameMixin, models.Model):
    """A contestant on the ballot of one election."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="parties")
    short_name = models.CharField(_("short name"), max_length=64)
    ballot_number = models.PositiveSmallIntegerField(_("ballot number"), null=True, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#777777",
        validators=[RegexValidator(COLOUR_PATTERN, _("A colour like #1f5fa8."))],
    )

    class Meta:
        ordering = ["election", "ballot_number", "short_name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["election", "short_name"], name="party_short_name_unique_per_election"),
            models.UniqueConstraint(
                fields=["election", "ballot_number"],
                condition=Q(ballot_number__isnull=False),
                name="party_ballot_number_unique_per_election",
            ),
            models.CheckConstraint(condition=Q(colour__regex=COLOUR_PATTERN), name="party_colour_hex"),
        ]

    def __str__(self):
        return self.short_name


class OfficialResult(models.Model):
    """What the election commission published for the country, a region or a station.

    Counts are stored only when published; a turnout published only as a
    percentage goes in ``turnout_percent``, which is never stored beside the
    two counts it would be derived from.
    """

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        help_text=_("Empty for the national result."),
    )
    polling_station = models.ForeignKey(
        PollingStation,
        verbose_name=_("polling station"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="results",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=ResultStage.choices)
    registered_voters = models.PositiveIntegerField(_("registered voters"), null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), null=True, blank=True)
    valid_votes = models.PositiveIntegerField(_("valid votes"), null=True, blank=True)
    invalid_votes = models.PositiveIntegerField(_("invalid votes"), null=True, blank=True)
    turnout_percent = models.DecimalField(
        _("turnout % as published"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Only when the commission published a percentage without the counts."),
    )
    source = models.CharField(_("source"), max_length=500)
    source_ru = models.CharField(_("source (Russian)"), max_length=500, blank=True)
    source_kk = models.CharField(_("source (Kazakh)"), max_length=500, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    as_of = models.DateTimeField(_("as of"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["election", "region__code", "polling_station__number"]
        verbose_name = _("official result")
        verbose_name_plural = _("official results")
        constraints = [
            models.UniqueConstraint(
                fields=["election"],
                condition=Q(region__isnull=True, polling_station__isnull=True),
                name="result_one_national_per_election",
            ),
            models.UniqueConstraint(
                fields=["election", "region"],
                condition=Q(region__isnull=False),
                name="result_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["election", "polling_station"],
                condition=Q(polling_station__isnull=False),
                name="result_one_per_station",
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(polling_station__isnull=True),
                name="result_region_or_station",
            ),
            choices_constraint("stage", ResultStage, "result_stage_valid"),
            models.CheckConstraint(
                condition=Q(ballots_cast__isnull=True)
                | Q(registered_voters__isnull=True)
                | Q(ballots_cast__lte=F("registered_voters")),
                name="result_ballots_not_above_registered",
            ),
            models.CheckConstraint(
                condition=Q(valid_votes__isnull=True)
                | Q(ballots_cast__isnull=True)
                | Q(valid_votes__lte=F("ballots_cast")),
                name="result_valid_not_above_ballots",
            ),
            models.CheckConstraint(
                condition=Q(invalid_votes__isnull=True)
                | Q(ballots_cast__isnull=True)
                | Q(invalid_votes__lte=F("ballots_cast")),
                name="result_invalid_not_above_ballots",
            ),
            models.CheckConstraint(
                condition=Q(turnout_percent__isnull=True) | Q(turnout_percent__gte=0, turnout_percent__lte=100),
                name="result_turnout_range",
            ),
            models.CheckConstraint(
                condition=Q(turnout_percent__isnull=True)
                | Q(registered_voters__isnull=True)
                | Q(ballots_cast__isnull=True),
                name="result_turnout_not_stored_twice",
            ),
        ]

    def __str__(self):
        place = self.polling_station or self.region or _("national")
        return f"{self.election} — {place}"

    def clean(self):
        if self.polling_station_id and self.polling_station.election_id != self.election_id:
            raise ValidationError({"polling_station": _("This polling station belongs to another election.")})

    @property
    def source_text(self):
        """The source in the reader's language (``TranslatedText``: says when it falls back)."""
        return translated_text(self, "source")

    @property
    def turnout(self):
        """Turnout in percent: derived from the counts, else as published."""
        derived = percent(self.ballots_cast, self.registered_voters)
        return derived if derived is not None else self.turnout_percent


class PartyResult(models.Model):
    """Votes (and, nationally, seats) of one party in one official result."""

    result = models.ForeignKey(
        OfficialResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="party_results"
    )
    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="results")
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    share_percent = models.DecimalField(
        _("share % as published"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Only when a percentage was published without the votes."),
    )
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        ordering = ["result", "-votes"]
        verbose_name = _("party result")
        verbose_name_plural = _("party results")
        constraints = [
            models.UniqueConstraint(fields=["result", "party"], name="party_result_unique"),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(votes__isnull=True),
                name="party_result_share_not_stored_twice",
            ),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(share_percent__gte=0, share_percent__lte=100),
                name="party_result_share_range",
            ),
        ]

    def __str__(self):
        return f"{self.party} — {self.result}"

    def clean(self):
        if self.party_id and self.result_id and self.party.election_id != self.result.election_id:
            raise ValidationError({"party": _("This party is not on the ballot of this election.")})

    @property
    def share(self):
        """Share of valid votes in percent: derived from votes, else as published."""
        derived = percent(self.votes, self.result.valid_votes)
        return derived if derived is not None else self.share_percent


class ResultChange(AppendOnlyModel):
    """What one update of an official result changed: who, when, from which source.

    Rows are only ever added, by the import, in the transaction of the update
    they record. ``changes`` maps each changed field (and ``votes:<party>``)
    to its ``[before, after]`` values.
    """

    result = models.ForeignKey(
        OfficialResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=500, help_text=_("The file or command the change came from."))
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("result change")
        verbose_name_plural = _("result changes")

    def __str__(self):
        return f"{self.result_id}: {', '.join(self.changes)}"
