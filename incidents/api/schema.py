"""OpenAPI: every operation documents the error answers it can give, in the one error format."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer

ERRORS = {
    "400": "Invalid input: a field, query parameter or header (see `error.fields`), or a body that cannot be read.",
    "401": "The token is missing, unknown or expired.",
    "403": "This user may not do this.",
    "404": "Nothing here, or nothing this user may see.",
    "406": "The `Accept` header asks for a type this endpoint cannot give.",
    "429": "Too many requests: wait the seconds in `Retry-After`.",
    "503": "The database did not answer. Try again after the seconds in `Retry-After` (same `Idempotency-Key`).",
}
WRITE_ERRORS = {
    "409": "Conflicts with the resource as it is now (see `error.code`).",
    "413": "The body is too large.",
    "415": "The body is of a type this endpoint does not read.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    media_types=("application/json",),
                    direction=direction,
                )
        return dict(sorted(responses.items()))


def postprocess(result, generator, request, public):
    """The details a client sends may fit more than one kind's shape (their fields are
    optional); the ``kind`` of the report decides. So they are ``anyOf``, not ``oneOf``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.startswith("ReportDetailsInput") and "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
    return result
