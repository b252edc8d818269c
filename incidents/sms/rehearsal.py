"""Sending a message as a given phone through the real webhook path, signature included, without a gateway.

For the demo and for a coordinator's rehearsal before election day (the staff page in the SMS inbox and
``manage.py sms_send``): the request is built and signed exactly as the gateway would, and handed to the
site's own request handler (every middleware, the URL, the view), so nothing but the signing is pretended.
Nothing leaves the machine.
"""

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.urls import reverse

from .gateways import GATEWAYS, GenericJsonGateway, twilio_signature


class NotConfigured(Exception):
    """The gateway has no secret: it would refuse every message."""


@dataclass(frozen=True)
class Rehearsal:
    status_code: int
    reply: str
    body: str
    message_id: str


def _host():
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith(".") and host != "*":
            return host
    return "localhost"


def send(*, phone: str, text: str, gateway: str = "generic", message_id: str = "") -> Rehearsal:
    """Post ``text`` from ``phone`` to the ``gateway`` webhook, signed with its secret; the webhook's answer."""
    adapter = GATEWAYS[gateway]
    secret = adapter.secret()
    if not secret:
        raise NotConfigured(gateway)
    message_id = message_id or f"rehearsal-{uuid.uuid4().hex}"
    host, secure = _host(), settings.SECURE_SSL_REDIRECT
    path = reverse("sms-inbound", args=[gateway])
    client = Client(HTTP_HOST=host)
    if gateway == "generic":
        body = json.dumps({"id": message_id, "from": phone, "text": text}).encode()
        response = client.post(
            path,
            body,
            content_type="application/json",
            headers={adapter.signature_header: GenericJsonGateway.sign(secret, body)},
            secure=secure,
        )
        reply = response.json().get("reply") or "" if response.status_code == 200 else ""
    else:
        params = {"MessageSid": message_id, "From": phone, "To": "rehearsal", "Body": text}
        url = settings.OBSERVER_SMS_TWILIO_URL or f"{'https' if secure else 'http'}://{host}{path}"
        response = client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers={adapter.signature_header: twilio_signature(secret, url, params)},
            secure=secure,
        )
        reply = _twiml_message(response.content.decode()) if response.status_code == 200 else ""
    return Rehearsal(response.status_code, reply, response.content.decode(), message_id)


def _twiml_message(body):
    from xml.etree import ElementTree

    message = ElementTree.fromstring(body).find("Message")
    return message.text or "" if message is not None else ""
