"""SMS gateways: each checks its own signature and turns its request into one inbound message.

The rest of the code knows only ``InboundSms``. An adapter whose secret is
not set refuses every request. Two are built in:

- ``generic``: a JSON body ``{"id", "from", "text", "received_at"}`` signed
  with ``X-Observer-Signature: sha256=<hex HMAC-SHA256 of the body under
  OBSERVER_SMS_GENERIC_SECRET>``; the answer is ``{"reply": "..."}`` (what
  an Android gateway phone app or a small relay sends on);
- ``twilio``: Twilio's form post, signed with ``X-Twilio-Signature``: the
  base64 HMAC-SHA1, under the account's auth token, of the full URL Twilio
  called followed by every POST parameter's name and value, sorted by name
  (twilio.com/docs/usage/security); the answer is TwiML with a <Message>.
"""

import base64
import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime

MAX_TEXT = 1600  # ten concatenated segments: longer is no SMS


class BadMessage(Exception):
    """A signed request that carries no readable message."""


@dataclass(frozen=True)
class InboundSms:
    gateway_message_id: str
    sender: str
    text: str
    received_at: datetime.datetime | None = None


class Gateway:
    name = ""
    #: the header that carries the signature (also used by the rehearsal page and command)
    signature_header = ""

    def secret(self):
        raise NotImplementedError

    def verify(self, request) -> bool:
        """True if the request is signed with this gateway's secret (False with no secret set)."""
        raise NotImplementedError

    def read(self, request) -> InboundSms:
        raise NotImplementedError

    def answer(self, reply: str) -> HttpResponse:
        raise NotImplementedError

    @staticmethod
    def _checked(message):
        if not message.gateway_message_id or not message.sender:
            raise BadMessage("A message needs its id and its sender.")
        if len(message.text) > MAX_TEXT or len(message.gateway_message_id) > 128 or len(message.sender) > 32:
            raise BadMessage("The message is too long.")
        return message


class GenericJsonGateway(Gateway):
    name = "generic"
    signature_header = "X-Observer-Signature"

    def secret(self):
        return settings.OBSERVER_SMS_GENERIC_SECRET

    @staticmethod
    def sign(secret: str, body: bytes) -> str:
        return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

    def verify(self, request):
        secret = self.secret()
        given = request.headers.get(self.signature_header, "")
        return bool(secret and given) and hmac.compare_digest(self.sign(secret, request.body), given)

    def read(self, request):
        try:
            payload = json.loads(request.body)
        except ValueError as error:
            raise BadMessage("The body is not JSON.") from error
        if not isinstance(payload, dict):
            raise BadMessage("The body is not a JSON object.")
        values = [payload.get(key) for key in ("id", "from", "text")]
        if not all(isinstance(value, str) for value in values):
            raise BadMessage('"id", "from" and "text" must be strings.')
        received_at = payload.get("received_at")
        when = parse_datetime(received_at) if isinstance(received_at, str) else None
        if received_at is not None and (when is None or when.tzinfo is None):
            raise BadMessage('"received_at" must be an ISO 8601 time with its offset.')
        return self._checked(InboundSms(*[value.strip() for value in values[:2]], values[2], when))

    def answer(self, reply):
        return JsonResponse({"reply": reply or None})


def twilio_signature(auth_token: str, url: str, params) -> str:
    """Twilio's X-Twilio-Signature of a POST: base64(HMAC-SHA1(auth token, URL + name1 + value1 + name2 + ...)),
    the parameters sorted by name (a name given twice contributes each of its values, in order).

    ``params`` maps names to a value or a list of values.
    """
    signed = url
    for name in sorted(params):
        values = params[name]
        for value in values if isinstance(values, list | tuple) else [values]:
            signed += name + value
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioGateway(Gateway):
    name = "twilio"
    signature_header = "X-Twilio-Signature"

    def secret(self):
        return settings.OBSERVER_SMS_TWILIO_AUTH_TOKEN

    @staticmethod
    def url(request):
        """The URL Twilio signed: the one configured at Twilio when set (behind a proxy the request's own may
        differ), else the one requested."""
        return settings.OBSERVER_SMS_TWILIO_URL or request.build_absolute_uri()

    def verify(self, request):
        secret = self.secret()
        given = request.headers.get(self.signature_header, "")
        if not (secret and given) or request.content_type != "application/x-www-form-urlencoded":
            return False
        expected = twilio_signature(secret, self.url(request), dict(request.POST.lists()))
        return hmac.compare_digest(expected, given)

    def read(self, request):
        return self._checked(
            InboundSms(
                gateway_message_id=request.POST.get("MessageSid", "").strip(),
                sender=request.POST.get("From", "").strip(),
                text=request.POST.get("Body", ""),
            )
        )

    def answer(self, reply):
        message = f"<Message>{escape(reply)}</Message>" if reply else ""
        body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>'
        return HttpResponse(body, content_type="text/xml; charset=utf-8")


GATEWAYS = {gateway.name: gateway for gateway in (GenericJsonGateway(), TwilioGateway())}
