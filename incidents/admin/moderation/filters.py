"""The queue's list filters in the admin. What each value selects is defined once, in
``selectors.moderation`` (the API's queue filter calls the same functions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ... import selectors


class QueueFilter(admin.SimpleListFilter):
    """Status, opening on the queue: what still needs a moderator."""

    title = _("status")
    parameter_name = "status"
    QUEUE = selectors.QUEUE
    ALL = selectors.ALL

    def lookups(self, request, model_admin):
        return selectors.QUEUE_STATUS_CHOICES

    def current(self):
        return self.value() or self.QUEUE

    def queryset(self, request, queryset):
        return selectors.queue_by_status(queryset, self.current())

    def choices(self, changelist):
        current = self.current()
        yield {
            "selected": current == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [
            (selectors.ASSIGNEE_ME, _("Me")),
            (selectors.ASSIGNEE_NOBODY, _("Nobody")),
            *((str(user.pk), user.get_username()) for user in selectors.queue_assignees(request.user)),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return selectors.queue_by_assignee(queryset, value, user=request.user)


class AttachmentsFilter(admin.SimpleListFilter):
    title = _("attachments")
    parameter_name = "attachments"

    def lookups(self, request, model_admin):
        return selectors.ATTACHMENT_CHOICES

    def queryset(self, request, queryset):
        return selectors.queue_by_attachments(queryset, self.value())
