"""The Kazakh catalog is complete, and the public pages speak Kazakh.

The .po file is read with a small reader of its own (no new dependency): enough of the
gettext format for the catalog that makemessages writes.
"""

import ast
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

CATALOG = Path(settings.BASE_DIR) / "locale" / "kk" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]|\{\w*\}|</?\w+[^>]*>")


def read_po(path):
    """Entries of a .po file: dicts with 'flags', 'msgid', 'msgid_plural' and 'msgstr' (index -> text).

    Entries are separated by blank lines; comments other than flags, and obsolete entries, are skipped.
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = {"flags": set(), "msgstr": {}}, None
        for line in (line.strip() for line in block.splitlines()):
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                if isinstance(key, int):
                    entry["msgstr"][key] += ast.literal_eval(line)
                else:
                    entry[key] += ast.literal_eval(line)
            else:
                word, _, value = line.partition(" ")
                key = int(word[7:-1]) if word.startswith("msgstr[") else 0 if word == "msgstr" else word
                if isinstance(key, int):
                    entry["msgstr"][key] = ast.literal_eval(value)
                else:
                    entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalog():
    return read_po(CATALOG)


def test_the_header_is_kazakh_and_not_fuzzy(catalog):
    header = next(entry for entry in catalog if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: kk\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n!=1);\n" in header["msgstr"][0]


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    messages = [entry for entry in catalog if entry["msgid"]]
    assert len(messages) > 800
    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["flags"]]
    assert fuzzy == []
    empty = [entry["msgid"] for entry in messages if not all(entry["msgstr"].values())]
    assert empty == []
    plural = [entry for entry in messages if "msgid_plural" in entry]
    assert plural and all(sorted(entry["msgstr"]) == [0, 1] for entry in plural)


def test_translations_keep_every_placeholder(catalog):
    for entry in catalog:
        if not entry["msgid"]:
            continue
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, text in entry["msgstr"].items():
            source = sources[min(index, 1)]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), entry["msgid"]
            assert text[: len(text) - len(text.lstrip())] == source[: len(source) - len(source.lstrip())]
            assert text[len(text.rstrip()) :] == source[len(source.rstrip()) :]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def kazakh(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200
    assert response["Content-Language"] == "kk"
    return response.content.decode()


def test_home_speaks_kazakh(client, demo):
    page = kazakh(client, reverse("home"))
    for phrase in ("Шолу", "Оқиғалар", "Өңірлер", "Қатысу", "Тіркелген сайлаушылар", "Ел бойынша нәтиже"):
        assert phrase in page
    assert "Registered voters" not in page and "National result" not in page


def test_incident_list_and_region_speak_kazakh(client, demo):
    page = kazakh(client, reverse("incident-list"))
    assert "Жарияланған оқиғалар" in page and "Сүзу және сұрыптау" in page
    assert "Published incidents" not in page
    page = kazakh(client, "/regions/KZ-75/")
    assert "Ресми нәтиже" in page and "Ел бойынша қатысу" in page


def test_login_speaks_kazakh(client, db):
    page = kazakh(client, reverse("login"))
    assert "Кіру" in page and "Құпия сөзіңізді ұмыттыңыз ба?" in page
