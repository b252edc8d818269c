"""Phone numbers in one form, E.164 (+77015550123), read with Google's libphonenumber (``phonenumbers``)."""

import phonenumbers
from django.conf import settings


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """``raw`` in E.164, or None if it is not a possible phone number.

    A number written without its country code ("8 701 555 0123") is read as a
    number of ``region`` (OBSERVER_PHONE_REGION, an ISO 3166-1 code, "KZ" by default).
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region or settings.OBSERVER_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
