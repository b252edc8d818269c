"""Small pieces shared by the models: translated names and coordinates."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _


def latest_plausible_time():
    """The latest time a report may give: now, plus OBSERVER_FUTURE_TOLERANCE_MINUTES (phone clocks drift)."""
    return timezone.now() + datetime.timedelta(minutes=settings.OBSERVER_FUTURE_TOLERANCE_MINUTES)


class TranslatedNameMixin(models.Model):
    """A name in each interface language; ``name`` picks the active one.

    English is required and is the fallback when a translation is missing.
    """

    name_en = models.CharField(_("name (English)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self):
        return self.name_in(get_language())

    def name_in(self, language):
        """The name in ``language`` (a code like "ru" or "ru-ru"), else in English."""
        return in_language(self, "name", language, fallback=self.name_en)


@dataclass(frozen=True)
class TranslatedText:
    """A public text as a reader gets it: the text, the language it is in, and whether that is
    another language than the reader's (the page then says so)."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)

    @property
    def language_name(self):
        return get_language_info(self.language)["name_translated"]


def translated_text(instance, field, language=None):
    """``instance``'s ``field`` in the reader's ``language`` (default: the active one).

    The English text is in ``<field>``, translations in ``<field>_ru`` and ``<field>_kk``. A missing
    translation falls back to English, then to the other languages in the order of LANGUAGES.
    """
    wanted = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    order = [wanted] + [code for code, _name in settings.LANGUAGES if code != wanted]
    for code in order:
        text = getattr(instance, field if code == "en" else f"{field}_{code}", "") or ""
        if text:
            return TranslatedText(text, code, code != wanted)
    return TranslatedText("", wanted, False)


def in_language(instance, field, language, *, fallback):
    """``instance``'s ``<field>_<language>`` (``language`` a code like "ru" or "ru-ru"), else ``fallback``."""
    language = (language or settings.LANGUAGE_CODE).split("-")[0]
    return getattr(instance, f"{field}_{language}", "") or fallback


class CoordinatesMixin(models.Model):
    """A point in WGS 84 degrees; both or neither are set."""

    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None


def coordinate_constraints(prefix):
    """Database checks for CoordinatesMixin, named after the concrete model."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_range",
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_point_complete",
        ),
    ]


def choices_constraint(field, choices, name):
    """A CheckConstraint keeping ``field`` to the values of a TextChoices."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Asia/Almaty)."),
            params={"value": value},
        )


@deconstructible
class ChoiceListValidator:
    """Validates a JSON list whose items must be values of a TextChoices class."""

    def __init__(self, choices):
        self.choices = choices

    def __call__(self, value):
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of values."))
        unknown = [item for item in value if item not in self.choices.values]
        if unknown:
            raise ValidationError(
                _("Unknown values: %(values)s."),
                params={"values": ", ".join(map(str, unknown))},
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("A value is listed twice."))

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and self.choices is other.choices


class AppendOnlyError(PermissionDenied):
    """Raised on any attempt to change or delete a row of a record that is only ever added to."""


def _append_only_refusal(model, what):
    return AppendOnlyError(f"{str(model._meta.verbose_name_plural).capitalize()} cannot be {what}.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _append_only_refusal(self.model, "changed")

    def delete(self):
        raise _append_only_refusal(self.model, "deleted")


class AppendOnlyModel(models.Model):
    """A record whose rows are only ever added: saving an existing row or deleting one raises
    AppendOnlyError, one by one or in bulk."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _append_only_refusal(self, "changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _append_only_refusal(self, "deleted")
