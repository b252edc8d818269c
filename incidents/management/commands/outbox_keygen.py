"""Make the key pair for outbox files carried from phones: prints the private key as PEM.

    manage.py outbox_keygen            # the PEM, to put in OBSERVER_OUTBOX_PRIVATE_KEY
    manage.py outbox_keygen --env      # one line for a .env file (newlines written as \\n)

Keep the private key only on the server; the phones get the public half from the site.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new private key (EC P-256, PEM) for OBSERVER_OUTBOX_PRIVATE_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--env", action="store_true", help="Print it as one OBSERVER_OUTBOX_PRIVATE_KEY=… line.")

    def handle(self, *args, env=False, **options):
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
        if env:
            escaped = pem.strip().replace("\n", "\\n")
            self.stdout.write(f'OBSERVER_OUTBOX_PRIVATE_KEY="{escaped}"')
        else:
            self.stdout.write(pem, ending="")
