"""Send a text as a given phone through the real SMS webhook, signed: the demo and election-day rehearsals."""

from django.core.management.base import BaseCommand, CommandError

from ...sms import rehearsal
from ...sms.gateways import GATEWAYS


class Command(BaseCommand):
    help = (
        "Send TEXT as the phone --phone through the SMS webhook of this site, signed with the gateway's secret, "
        "and print the answer. Nothing leaves the machine. Example: manage.py sms_send --phone +77000000101 "
        '"D 75-001 12 P A"'
    )

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--phone", required=True, help="The sender's number, e.g. +77000000101.")
        parser.add_argument("--gateway", choices=sorted(GATEWAYS), default="generic")
        parser.add_argument(
            "--id",
            default="",
            help="The gateway message id (default: a new one). Repeat one to see a repeat answered the same.",
        )

    def handle(self, *args, text, phone, gateway, id, **options):
        try:
            result = rehearsal.send(phone=phone, text=text, gateway=gateway, message_id=id)
        except rehearsal.NotConfigured as error:
            setting = {"generic": "OBSERVER_SMS_GENERIC_SECRET", "twilio": "OBSERVER_SMS_TWILIO_AUTH_TOKEN"}[gateway]
            raise CommandError(f"The {error} gateway has no secret: set {setting}.") from error
        if result.status_code != 200:
            raise CommandError(f"The webhook answered HTTP {result.status_code}: {result.body[:200]}")
        self.stdout.write(f"message id: {result.message_id}")
        self.stdout.write(f"answer: {result.reply or '(none)'}")
