"""The printable code card: drawn from the code table, in English, Russian and Kazakh, with a print stylesheet."""

import pytest
from django.urls import reverse

from incidents.sms import codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Reporting by SMS", "Detention", "detained by", "Police", "Example:"]),
        ("ru", ["Сообщения по SMS", "Задержание", "кем задержаны", "Полиция", "Пример:"]),
        ("kk", ["SMS арқылы хабарлау", "Ұстау", "Полиция", "Мысал:"]),
    ],
)
def test_the_card_lists_every_code_in_the_pages_language(client, language, words, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("sms-card"), HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in text, word
    for entry in codes.KINDS:
        assert f"<code>{entry.example}</code>" in text and f"<kbd>{entry.code}</kbd>" in text
        for field in entry.fields:
            for item in field.codes:
                assert f"<kbd>{item.code}</kbd>" in text
    assert "css/sms-card.css" in text


def test_the_card_has_a_print_stylesheet():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "sms-card.css").read_text()
    assert "@media print" in css and "@page" in css
