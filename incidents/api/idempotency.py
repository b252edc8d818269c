"""Safe retries of a new report: the ``Idempotency-Key`` header.

A client makes up one key per report (a UUID, say) and sends it with every
try. The key is turned into the submission's ``client_token``, namespaced by
the observer, so two observers can never collide on a key; the body is
turned into a fingerprint. ``services.incident_submit`` does the rest: the
same key with the same body answers with the report already filed, the same
key with another body is an IdempotencyConflict (409), and of concurrent
tries with one key exactly one files the report.
"""

import hashlib
import json
import re

from django.utils.translation import gettext as _
from rest_framework import exceptions

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
MAX_LENGTH = 255
#: visible ASCII characters, as the IETF draft on the header allows
PATTERN = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")
PREFIX = "api-"


def key_from(request):
    """The request's idempotency key, None without one; a 400 if it is malformed."""
    key = request.META.get(META_KEY)
    if key is None:
        return None
    return key_from_value(key)


def key_from_value(key):
    """``key`` if it is a well-formed idempotency key; a ValidationError naming the header if not."""
    if not isinstance(key, str) or not PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {
                HEADER: [
                    _("Use 1 to %(max)d visible ASCII characters, e.g. a UUID, the same for every try of one report.")
                    % {"max": MAX_LENGTH}
                ]
            }
        )
    return key


def client_token(observer, key):
    """The submission token for ``observer``'s ``key`` (at most 64 characters, as the column allows)."""
    digest = hashlib.sha256(f"{observer.pk}:{key}".encode()).hexdigest()
    return f"{PREFIX}{digest[:60]}"


def _digest(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def fingerprint(values, files=()):
    """A digest of a submission: its values (as canonical JSON) and the bytes of its files, in order."""
    canonical = json.dumps(
        {"values": values, "files": [_digest(file) for file in files]},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
