"""The SMS webhooks (one per gateway) and the printable code card."""

import logging

from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ..services import sms_receive
from . import codes
from .gateways import GATEWAYS, BadMessage

logger = logging.getLogger(__name__)


@csrf_exempt  # gateways sign their requests instead; a browser's cookies are worth nothing here
@require_POST
def inbound(request, gateway):
    """Take one message from ``gateway``: 403 (and nothing stored) unless it is signed with the gateway's secret."""
    adapter = GATEWAYS.get(gateway)
    if adapter is None:
        raise Http404
    if not adapter.verify(request):
        logger.warning("SMS webhook %s: refused a request without a valid signature", gateway)
        return HttpResponseForbidden("Signature missing or wrong.")
    try:
        message = adapter.read(request)
    except BadMessage as error:
        return HttpResponseBadRequest(str(error))
    received = sms_receive(
        gateway=adapter.name,
        gateway_message_id=message.gateway_message_id,
        sender=message.sender,
        text=message.text,
        received_at=message.received_at,
    )
    return adapter.answer(received.reply)


@require_safe
def card(request):
    """The code card for observers, from the code table, in the page's language; prints on one sheet."""
    return render(request, "sms/card.html", {"kinds": codes.KINDS, "pin_lengths": codes.PIN_LENGTHS})
