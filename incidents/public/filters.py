"""Filters on published incidents, shared by the public pages, the exports and the API.

``PublicIncidentFilter`` is a django-filter FilterSet: pages build it from
``request.GET``, DRF views name it as ``filterset_class``. An invalid value
(an unknown kind, a malformed date, a region code that does not exist) makes
the filter set invalid with a message per field; callers show the messages
and no incidents, never a wider list than was asked for.

Without an ``election`` value the current election is used.
"""

import copy
import datetime

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from .. import collation, selectors
from ..models import Election, IncidentKind, Region, Verification
from . import cache as public_cache

#: sort keys offered to the public, each a stable ordering (ties broken by id)
SORTS = {
    "-occurred": ("-occurred_at", "-id"),
    "occurred": ("occurred_at", "id"),
    "-published": ("-published_at", "-id"),
    "published": ("published_at", "id"),
}
#: the list's order when none is chosen: newest first by publication time (a day-only time says nothing
#: of the hour, so ordering by when it happened would put a report published minutes ago below older ones)
DEFAULT_SORT = "-published"
SORT_CHOICES = [
    ("-published", _("Recently published first")),
    ("published", _("Earliest published first")),
    ("-occurred", _("Newest first")),
    ("occurred", _("Oldest first")),
]
MAX_TEXT = 200


def current_election():
    """The current election (``selectors.election_current``) as public pages read it: kept by the
    process until the reference data changes, a copy of its own for each caller."""
    return copy.copy(public_cache.reference_kept("election-current", selectors.election_current))


def region_and_descendant_ids(region):
    """``selectors.region_and_descendant_ids`` over the region tree the process keeps."""
    return selectors.region_and_descendant_ids(
        region, public_cache.reference_kept("region-tree", selectors.region_children)
    )


class ListedChoiceIterator(ModelChoiceIterator):
    """A choice list of reference data (elections, regions) in one plain query, which the process
    keeps until the reference data changes (``KeptChoiceField``). Django reads it through
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (three round trips)
    for a few dozen rows, and again each time the list is gone through (a select's widget goes
    through it twice: once to see whether its first choice is empty)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.kept_rows():
            yield self.choice(obj)


class KeptChoiceField(django_filters.fields.ModelChoiceField):
    """A choice among reference data: its rows read once by the process, under the reference
    generation (``public_cache.reference_kept``), both to list the choices and to check one."""

    iterator = ListedChoiceIterator

    def kept_rows(self):
        queryset = self.queryset
        if getattr(self, "_kept_for", None) is not queryset:
            self._kept_name, self._kept_for = f"choices:{queryset.query}", queryset
        return public_cache.reference_kept(self._kept_name, lambda: list(queryset))

    def to_python(self, value):
        if value in self.empty_values or (self.null_label is not None and value == self.null_value):
            return super().to_python(value)
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):  # as Django's: an instance stands for its key
            value = getattr(value, key)
        for row in self.kept_rows():
            if str(getattr(row, key)) == str(value):
                return copy.copy(row)  # the kept row is shared by the process's threads
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


#: the dates a filter accepts: far wider than any election, narrow enough that a day added or a time
#: zone applied stays within what Python and every database hold (year 1 and 9999 do not)
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


class SaneDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, else a message saying so."""

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s."),
                code="date_out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class SaneDateFilter(django_filters.DateFilter):
    field_class = SaneDateField


class ElectionChoiceField(KeptChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CollatedRegionIterator(ListedChoiceIterator):
    """The regions in the alphabetical order of the reader's language (``collation``), the empty choice first."""

    def __iter__(self):
        if not hasattr(self, "_collated"):
            choices = list(super().__iter__())
            empty = [choice for choice in choices if not hasattr(choice[0], "instance")]
            regions = [choice for choice in choices if hasattr(choice[0], "instance")]
            name_key = collation.name_key()
            self._collated = empty + sorted(regions, key=lambda choice: name_key(choice[0].instance.name))
        return iter(self._collated)


class RegionChoiceField(KeptChoiceField):
    iterator = CollatedRegionIterator

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ElectionFilter(django_filters.ModelChoiceFilter):
    field_class = ElectionChoiceField


class RegionFilter(django_filters.ModelChoiceFilter):
    field_class = RegionChoiceField


class PublicIncidentFilterForm(forms.Form):
    #: the same widgets' HTML through Django's Jinja2 templates of them: the list's filter form
    #: took a quarter of a list page's time through Django's template engine (docs/benchmarks.md)
    default_renderer = Jinja2()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class CurrentElectionFilterSet(django_filters.FilterSet):
    """A FilterSet limited to one election: the one chosen by slug, else the current one.

    Always bound, so that the defaults apply with no query at all; while any
    value is invalid ``qs`` is empty, never wider than what was asked for.
    """

    election = ElectionFilter(
        label=_("Election"),
        queryset=Election.objects.all(),
        to_field_name="slug",
        empty_label=_("Current election"),
        method="filter_election",
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self._default_election = ...

    @property
    def qs(self):
        if not self.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def default_election(self):
        if self._default_election is ...:
            self._default_election = current_election()
        return self._default_election

    @property
    def selected_election(self):
        """The election the result is limited to (the chosen one, else the current one)."""
        chosen = self.form.cleaned_data.get("election") if self.is_valid() else None
        return chosen or self.default_election

    @property
    def zone(self):
        election = self.selected_election
        return election.zone if election else datetime.UTC

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("election"):
            election = self.default_election
            queryset = queryset.filter(election=election) if election else queryset.none()
        return queryset

    def filter_election(self, queryset, name, value):
        return queryset.filter(election=value)


class PublicIncidentFilter(CurrentElectionFilterSet):
    # distinct=False: these filters join nothing, and DISTINCT would sort whole rows.
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=IncidentKind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    region = RegionFilter(
        label=_("Region"),
        queryset=Region.objects.order_by("name_en"),
        to_field_name="code",
        empty_label=_("All regions"),
        method="filter_region",
        help_text=_("Includes its sub-regions."),
    )
    station = django_filters.CharFilter(
        label=_("Polling station number"),
        method="filter_station",
        max_length=32,
    )
    date_from = SaneDateFilter(
        label=_("From"),
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Day the incident happened, in the election's time zone."),
    )
    date_to = SaneDateFilter(
        label=_("To"),
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    verification = django_filters.MultipleChoiceFilter(
        label=_("Verification"), choices=Verification.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=MAX_TEXT,
        help_text=_("Words in the public summary, or a reference."),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORT_CHOICES, method="filter_sort", empty_label=None, null_label=None
    )

    class Meta:
        form = PublicIncidentFilterForm
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT])
        return queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=region_and_descendant_ids(value))

    def filter_station(self, queryset, name, value):
        # Sensitive reports do not name their station in public (public.shape), so no filter finds them by it.
        return queryset.filter(polling_station__number=value, is_sensitive=False)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=datetime.datetime.combine(value, datetime.time.min, tzinfo=self.zone))

    def filter_date_to(self, queryset, name, value):
        end = datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.zone)
        return queryset.filter(occurred_at__lt=end)

    def filter_text(self, queryset, name, value):
        # Only public text is searched: a search must never confirm what a private field says.
        value = value.strip()
        if not value:
            return queryset
        # References are stored in capitals: an exact match uses their unique index.
        return queryset.filter(Q(public_summary__icontains=value) | Q(reference=value.upper()))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    def active_filters(self):
        """``[(label, value text)]`` of the filters in use, for a sentence above the results."""
        if not self.is_valid():
            return []
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, "", [], ()):
                continue
            field = self.form.fields[name]
            if isinstance(value, list):
                labels = dict(field.choices)
                text = ", ".join(str(labels.get(item, item)) for item in value)
            elif isinstance(value, datetime.date):
                text = value.isoformat()
            elif hasattr(field, "label_from_instance"):
                text = field.label_from_instance(value)
            else:
                text = str(value)
            active.append((field.label, text))
        return active


class PollingStationFilter(CurrentElectionFilterSet):
    """Polling stations of one election (the API's station list)."""

    region = RegionFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="code",
        method="filter_region",
        help_text=_("Includes its sub-regions."),
    )
    number = django_filters.CharFilter(label=_("Polling station number"), max_length=32)

    class Meta:
        fields = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=region_and_descendant_ids(value))


class PartyFilter(CurrentElectionFilterSet):
    """The parties on the ballot of one election."""

    class Meta:
        fields = []


class ElectionChoiceForm(forms.Form):
    """The ``election`` (by slug) of region pages and the overview; the current one by default."""

    election = forms.SlugField(required=False)

    def clean_election(self):
        slug = self.cleaned_data["election"]
        if not slug:
            return current_election()
        election = Election.objects.filter(slug=slug).first()
        if election is None:
            raise forms.ValidationError(_("There is no election “%(slug)s”."), params={"slug": slug})
        return election
