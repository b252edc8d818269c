"""How many SMS segments a text takes.

A text made only of characters of the GSM 03.38 default alphabet (Latin
letters, digits, common punctuation) is sent as GSM-7: 160 characters in one
segment, 153 per segment when it takes several (7 septets of each part go to
the concatenation header); characters of the alphabet's extension table
(``^{}\\[~]|€``) count twice. Any other character (Cyrillic, Kazakh letters,
emoji) makes the whole text UCS-2: 70 UTF-16 code units in one segment, 67
per segment in several. Source: 3GPP TS 23.038 (alphabets) and TS 23.040
(concatenated messages).

Worked example (docs/sms.md): "OK KZ21-7F3K9Q" is GSM-7, 14 septets, one
segment; "Принято: KZ21-7F3K9Q" is UCS-2, 20 units, one segment; 71 Cyrillic
letters take two segments (71 > 70; ceil(71 / 67) = 2).
"""

import math
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def segments(text: str) -> Segments:
    """The encoding a phone network uses for ``text``, its length in that encoding and its segment count."""
    if all(character in GSM7_BASIC or character in GSM7_EXTENSION for character in text):
        units = sum(2 if character in GSM7_EXTENSION else 1 for character in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if units == 0:
        count = 0
    elif units <= single:
        count = 1
    else:
        count = math.ceil(units / part)
    return Segments(encoding=encoding, units=units, count=count)
