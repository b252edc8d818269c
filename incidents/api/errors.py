"""One error format for every 4xx answer of the API.

    {"error": {"code": "invalid", "message": "…", "fields": {"details.people_detained": ["…"]}}}

``code`` is a stable word a client can branch on; ``message`` is for people
(in the request's language); ``fields`` maps each input that was refused —
a body field, a dotted path into a nested one, a query parameter, or a
header such as ``Idempotency-Key`` — to its messages. The exceptions the
services raise are translated here, so views simply call the services.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .. import services
from ..health import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("This resource was withdrawn.")
    default_code = "gone"

    def __init__(self, detail=None, code=None, *, extra=None):
        super().__init__(detail, code)
        self.extra = extra or {}


class DatabaseUnavailable(exceptions.APIException):
    """The database did not answer (restarting, say): nothing is half written; try again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy(
        "The database did not answer. Try again in a few seconds; a new report sent again with the same "
        "Idempotency-Key is filed once, however many tries it takes."
    )
    default_code = "unavailable"


class SubmissionLimit(exceptions.Throttled):
    default_code = "submission_limit"

    def __init__(self, message):
        super().__init__(wait=60)
        self.detail = exceptions.ErrorDetail(message, code=self.default_code)


def translate(exc):
    """The API exception for an exception a service or Django raised."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, services.TransitionForbidden):
        return exceptions.PermissionDenied(exc.message, code="forbidden_move")
    if isinstance(exc, services.IncidentChanged):
        return Conflict(exc.message, code="incident_changed")
    if isinstance(exc, services.TransitionNotAllowed):
        return Conflict(exc.message, code="transition_not_allowed")
    if isinstance(exc, services.IdempotencyConflict):
        return Conflict(str(exc), code="idempotency_conflict")
    if isinstance(exc, services.SubmissionRateLimited):
        return SubmissionLimit(exc.message)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return DatabaseUnavailable()
    return exc


def flatten(detail, prefix=""):
    """``{dotted.path: [messages]}`` of a DRF error detail (dicts and lists nested in any way)."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key)
            if name == api_settings.NON_FIELD_ERRORS_KEY and prefix:
                name = ""
            for path, messages in flatten(value, f"{prefix}.{name}".strip(".") if prefix else name).items():
                flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            flat.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    for path, messages in flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                        flat.setdefault(path, []).extend(messages)
    else:
        flat.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(detail))
    return flat


def _code(exc):
    detail = getattr(exc, "detail", None)
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    code = getattr(detail, "code", None)
    return code or getattr(exc, "default_code", "error")


def error_body(exc):
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        general = fields.get(api_settings.NON_FIELD_ERRORS_KEY)
        message = general[0] if general and len(fields) == 1 else _("Some values are not valid; see fields.")
        return {"code": "invalid", "message": message, "fields": fields}
    detail = exc.detail
    message = " ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)
    body = {"code": _code(exc), "message": message, "fields": {}}
    body.update(getattr(exc, "extra", {}))
    return body


def exception_handler(exc, context):
    """DRF's handler, with service exceptions translated and every answer in the one format."""
    if isinstance(exc, DATABASE_UNAVAILABLE):
        request = context.get("request")
        logger.warning("The database did not answer %s %s: %s", request.method, request.path, exc)
    exc = translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"error": error_body(exc)}
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def not_found(request, *args, **kwargs):
    """The answer for any unknown address under /api/: a 404 in the API's format."""
    from django.http import JsonResponse

    body = {"code": "not_found", "message": _("There is nothing at this address."), "fields": {}}
    return JsonResponse({"error": body}, status=404, json_dumps_params={"ensure_ascii": False})


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=gettext_lazy(
            "A stable word: invalid, parse_error, not_authenticated, authentication_failed, permission_denied, "
            "forbidden_move, not_found, method_not_allowed, not_acceptable, unsupported_media_type, "
            "incident_changed, transition_not_allowed, idempotency_conflict, retracted, throttled, submission_limit, "
            "unavailable."
        )
    )
    message = serializers.CharField(help_text=gettext_lazy("What went wrong, for people."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy(
            "Each refused input (a body field, a dotted path into a nested one, a query parameter or a "
            "header) with its messages; empty when the error is not about one input."
        ),
    )
    retraction_notice = serializers.CharField(
        required=False, help_text=gettext_lazy("Only with code 'retracted': why the incident was withdrawn.")
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    error = ErrorBodySerializer()
