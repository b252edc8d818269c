"""Input no page can use, refused before any view sees it.

A NUL character has no place in a path, a query or a form: PostgreSQL cannot
store or compare it (the driver raises, which would be a server error), and no
reference, code, date or text contains one. Requests carrying one are answered
400 with a reason (JSON under /api/, plain text elsewhere). Form fields and
API fields refuse NUL themselves too (Django's and DRF's CharField); this
covers what is not a form field: URL parts, lookups by code, filters.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPE = "application/x-www-form-urlencoded"


def has_nul(request):
    if NUL in request.path:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    if request.method == "POST" and request.content_type == FORM_TYPE:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
            body = request.body
            return b"%00" in body or b"\x00" in body
    return False


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            message = _("The request contains a NUL character, which no address, filter or form field may hold.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "invalid", "message": message, "fields": {}}},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
