"""Paging of API lists.

Incident lists page by cursor: a cursor marks a place in a fixed order, so
paging through a large set while incidents are published never skips or
repeats one. Reference lists (polling stations) page by number.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination

from ..public.filters import SORTS

MAX_PAGE_SIZE = 200


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = _("This cursor is not valid: use the next or previous link of an answer.")

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from error

    def get_page_size(self, request):
        if self.page_size_query_param in request.query_params:
            try:
                size = int(request.query_params[self.page_size_query_param])
            except ValueError:
                size = 0
            if not 1 <= size <= self.max_page_size:
                raise exceptions.ValidationError(
                    {
                        self.page_size_query_param: [
                            _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                        ]
                    }
                )
            return size
        return self.page_size


class PublicIncidentPagination(CursorPagination):
    """In the order the ``sort`` filter chose (newest first by default), ties broken by id."""

    def get_ordering(self, request, queryset, view):
        sort = request.query_params.get("sort") or "-occurred"
        return SORTS.get(sort, SORTS["-occurred"])


class QueuePagination(CursorPagination):
    """Oldest report first, as the moderation queue is worked."""

    ordering = ("created_at", "id")


class OwnReportPagination(CursorPagination):
    """Newest report first."""

    ordering = ("-created_at", "-id")


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
