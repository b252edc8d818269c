"""The carried file: an outbox sealed on the phone to the site's public key, opened here.

The phone (static/js/offline/crypto.js) and this module share one scheme, all
standard primitives that Web Crypto and ``cryptography`` both implement:

    file = MAGIC (8 bytes) | key id (8) | ephemeral P-256 public key, uncompressed (65) | IV (12) | ciphertext
    secret = ECDH(ephemeral private, site public)                     (32 bytes)
    key = HKDF-SHA256(secret, salt = ephemeral public, info = INFO)   (32 bytes, AES-256)
    plaintext = AES-GCM(key, IV, ciphertext, additional data = the 93 header bytes)

The key id is the first 8 bytes of SHA-256 over the site's public key, so a
file made for another site (or an older key) is told apart from a damaged
one. AES-GCM authenticates every byte: a changed byte anywhere refuses the
whole file. The plaintext is UTF-8 JSON: ``{"format": FORMAT, "version": 1,
"reports": [{"pass": ..., "key": ..., "body": {...}, "files": [{"name", "type", "data" (base64)}]}]}``.
"""

import base64
import hashlib
import json
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

MAGIC = b"OBSVOUT1"
INFO = b"observer outbox v1"
FORMAT = "observer-outbox"
KEY_ID_BYTES = 8
POINT_BYTES = 65
IV_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + POINT_BYTES + IV_BYTES
PASS_SALT = "incidents.outbox-pass"


class OutboxFileRefused(Exception):
    """The file cannot be read: not one of ours, made for another key, or damaged. Nothing was written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class CarriedReport:
    pass_token: str
    key: str
    body: dict
    files: list = field(default_factory=list)  # [(name, content_type, bytes)]


def private_key_from_pem(pem):
    """The site's private key (PEM, P-256); ImproperlyConfigured for anything else."""
    try:
        key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("OBSERVER_OUTBOX_PRIVATE_KEY is not a PEM private key.") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("OBSERVER_OUTBOX_PRIVATE_KEY must be an EC key on the P-256 curve.")
    return key


def site_private_key():
    """The configured private key, or None when carried files are not set up on this site."""
    pem = settings.OBSERVER_OUTBOX_PRIVATE_KEY
    return private_key_from_pem(pem) if pem else None


def public_point(private_key):
    """The public key as the phone imports it (Web Crypto ``raw``): the uncompressed point."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def key_id(point):
    return hashlib.sha256(point).digest()[:KEY_ID_BYTES]


def _aes_key(secret, salt):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(secret)


def seal(point, plaintext, *, ephemeral=None, iv=None):
    """Seal ``plaintext`` to the public key ``point`` (what the phone does; used by the tests and the bench)."""
    import os

    site_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    ephemeral = ephemeral or ec.generate_private_key(ec.SECP256R1())
    ephemeral_point = public_point(ephemeral)
    iv = iv or os.urandom(IV_BYTES)
    header = MAGIC + key_id(point) + ephemeral_point + iv
    secret = ephemeral.exchange(ec.ECDH(), site_public)
    return header + AESGCM(_aes_key(secret, ephemeral_point)).encrypt(iv, plaintext, header)


def open_sealed(data, private_key):
    """The plaintext of a sealed file; OutboxFileRefused saying why it cannot be read."""
    if len(data) <= HEADER_BYTES or not data.startswith(MAGIC):
        raise OutboxFileRefused(_("This is not an outbox file saved by the observers' app."))
    header = data[:HEADER_BYTES]
    point = public_point(private_key)
    if data[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES] != key_id(point):
        raise OutboxFileRefused(
            _("This outbox file was locked for another site's key: it cannot be opened here. Nothing was filed.")
        )
    start = len(MAGIC) + KEY_ID_BYTES
    ephemeral_point = data[start : start + POINT_BYTES]
    iv = data[start + POINT_BYTES : HEADER_BYTES]
    damaged = _("This outbox file is damaged or was changed after it was saved. Nothing was filed.")
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral_point)
        secret = private_key.exchange(ec.ECDH(), ephemeral)
        return AESGCM(_aes_key(secret, ephemeral_point)).decrypt(iv, data[HEADER_BYTES:], header)
    except (InvalidTag, ValueError) as error:
        raise OutboxFileRefused(damaged) from error


def parse(plaintext):
    """The reports of an opened file, in the order the phone saved them."""
    damaged = _("This outbox file is damaged or was changed after it was saved. Nothing was filed.")
    try:
        content = json.loads(plaintext.decode("utf-8"))
        if content.get("format") != FORMAT or content.get("version") != 1:
            raise OutboxFileRefused(_("This is not an outbox file saved by the observers' app."))
        reports = []
        for item in content["reports"]:
            files = [
                (str(part["name"]), str(part["type"]), base64.b64decode(part["data"], validate=True))
                for part in item.get("files", [])
            ]
            if not isinstance(item["body"], dict) or not isinstance(item["key"], str):
                raise OutboxFileRefused(damaged)
            reports.append(CarriedReport(str(item["pass"]), item["key"], item["body"], files))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise OutboxFileRefused(damaged) from error
    return reports


def read(data, private_key):
    """``open_sealed`` then ``parse``."""
    return parse(open_sealed(data, private_key))


def base64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def observer_pass(observer):
    """A token signed by the site naming ``observer``: the phone puts it in the carried file with each
    report, so that the upload knows whose report it is (and a file made up elsewhere names nobody)."""
    return signing.dumps({"observer": observer.pk}, salt=PASS_SALT)


def observer_from_pass(token):
    """The active observer a pass names, or None (changed, made by another site, or the account was closed)."""
    from ..models import Observer

    try:
        payload = signing.loads(token, salt=PASS_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("observer"), int):
        return None
    observer = Observer.objects.select_related("user").filter(pk=payload["observer"]).first()
    if observer is None or not observer.user.is_active:
        return None
    return observer
