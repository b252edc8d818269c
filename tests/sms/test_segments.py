"""Counting SMS segments: GSM-7 for Latin text, UCS-2 as soon as one character is outside the GSM alphabet."""

import pytest

from incidents.sms.segments import Segments, segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments("GSM-7", 0, 0)),
        ("OK KZ21-7F3K9Q", Segments("GSM-7", 14, 1)),  # the worked example of docs/sms.md
        ("A" * 160, Segments("GSM-7", 160, 1)),
        ("A" * 161, Segments("GSM-7", 161, 2)),  # 153 a part once there are two
        ("A" * 306, Segments("GSM-7", 306, 2)),
        ("A" * 307, Segments("GSM-7", 307, 3)),
        ("[" * 80, Segments("GSM-7", 160, 1)),  # extension characters count twice
        ("[" * 81, Segments("GSM-7", 162, 2)),
        ("Принято: KZ21-7F3K9Q", Segments("UCS-2", 20, 1)),
        ("Д" * 70, Segments("UCS-2", 70, 1)),
        ("Д" * 71, Segments("UCS-2", 71, 2)),  # 67 a part once there are two
        ("Д" * 134, Segments("UCS-2", 134, 2)),
        ("Д" * 135, Segments("UCS-2", 135, 3)),
        ("A" * 159 + "қ", Segments("UCS-2", 160, 3)),  # one Kazakh letter makes the whole text UCS-2
        ("😀" * 35, Segments("UCS-2", 70, 1)),  # a character outside the BMP is two UTF-16 units
    ],
)
def test_segments(text, expected):
    assert segments(text) == expected
