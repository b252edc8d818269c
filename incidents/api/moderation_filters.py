"""The moderation queue's filter for the API (staff only). What each value selects is defined
once, in ``selectors.moderation``, which the admin's list filters call too."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import Election, IncidentKind, Region, Verification
from ..public.filters import MAX_TEXT, SaneDateFilter


class ModerationQueueFilter(django_filters.FilterSet):
    """The moderation queue as the admin's list filters it, for staff only.

    Opens on the queue (submitted, in review, needs information); ``q``
    searches the observer's words too, which only staff may search.
    """

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[selectors.QUEUE_STATUS_CHOICES[0], (selectors.ALL, _("All")), *selectors.QUEUE_STATUS_CHOICES[1:]],
        method="filter_status",
        empty_label=None,
        null_label=None,
        help_text=_("The queue when left out."),
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=IncidentKind.choices, distinct=False)
    election = django_filters.ModelChoiceFilter(
        label=_("Election"), queryset=Election.objects.all(), to_field_name="slug"
    )
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all(), to_field_name="code")
    assignee = django_filters.CharFilter(
        label=_("Assignee"),
        method="filter_assignee",
        max_length=150,
        help_text=_("'me', 'nobody', or a moderator's username."),
    )
    verification = django_filters.MultipleChoiceFilter(
        label=_("Verification"), choices=Verification.choices, distinct=False
    )
    attachments = django_filters.ChoiceFilter(
        label=_("Attachments"),
        choices=selectors.ATTACHMENT_CHOICES,
        method="filter_attachments",
    )
    submitted_from = SaneDateFilter(label=_("Submitted from"), field_name="created_at", lookup_expr="date__gte")
    submitted_to = SaneDateFilter(label=_("Submitted to"), field_name="created_at", lookup_expr="date__lte")
    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=MAX_TEXT,
        help_text=_("A reference, or words of the observer's text, the place they described or the summary."),
    )

    class Meta:
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = selectors.queue_by_status(queryset, selectors.QUEUE)
        return queryset

    def filter_status(self, queryset, name, value):
        return selectors.queue_by_status(queryset, value)

    def filter_assignee(self, queryset, name, value):
        return selectors.queue_by_assignee(queryset, value.strip(), user=self.request.user if self.request else None)

    def filter_attachments(self, queryset, name, value):
        return selectors.queue_by_attachments(queryset, value)

    def filter_text(self, queryset, name, value):
        return selectors.queue_by_text(queryset, value)
