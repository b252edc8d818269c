"""The Russian catalog is complete and well formed, and the public pages speak Russian.

The catalog is read with a small .po reader (no extra dependency); the pages need the compiled
catalog, which `make test` (through `make messages`) builds before the suite runs.
"""

import ast
import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")
NPLURALS = 4  # Django's Russian plural formula: one, few, many, other (fractions)

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>")


def read_po(path):
    """The entries of a .po file, header first: flags, msgid, msgid_plural, msgstr or msgstr[n]."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif not line or line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def translations(entry):
    if "msgid_plural" in entry:
        return [entry.get(f"msgstr[{n}]", "") for n in range(NPLURALS)]
    return [entry.get("msgstr", "")]


@pytest.fixture(scope="module")
def catalog():
    entries = read_po(CATALOG)
    assert entries and entries[0]["msgid"] == "", "the catalog starts with its header"
    return entries


def test_header_is_filled_in(catalog):
    header = catalog[0]
    assert "fuzzy" not in header["flags"]
    fields = dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if ": " in line)
    assert fields["Language"] == "ru"
    assert fields["Plural-Forms"].startswith(f"nplurals={NPLURALS};")
    assert "FULL NAME" not in fields["Last-Translator"] and "LANGUAGE" not in fields["Language-Team"]


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    entries = catalog[1:]
    assert len(entries) > 800
    untranslated = [e["msgid"] for e in entries if not all(text.strip() for text in translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_placeholders_tags_and_outer_whitespace(catalog):
    for entry in catalog[1:]:
        source = entry.get("msgid_plural", entry["msgid"])
        for text in translations(entry):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (entry["msgid"], text)
            assert text.count("%%") == source.count("%%"), entry["msgid"]
            assert text.count("\n") == entry["msgid"].count("\n"), entry["msgid"]
            assert text[:1].isspace() == entry["msgid"][:1].isspace(), entry["msgid"]
            assert text[-1:].isspace() == entry["msgid"][-1:].isspace(), entry["msgid"]


def test_the_compiled_catalog_is_current():
    assert COMPILED.exists(), "run `make messages` (or `make test`) to compile the catalogs"
    assert COMPILED.stat().st_mtime >= CATALOG.stat().st_mtime, "the .mo is older than the .po: run `make messages`"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 инцидент"),
        (3, "3 инцидента"),
        (5, "5 инцидентов"),
        (11, "11 инцидентов"),
        (21, "21 инцидент"),
        (22, "22 инцидента"),
        (112, "112 инцидентов"),
    ],
)
def test_russian_plural_forms(count, expected):
    with translation.override("ru"):
        text = translation.ngettext("%(total)s incident", "%(total)s incidents", count) % {"total": count}
    assert text == expected


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def russian_page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200, url
    assert response["Content-Language"] == "ru"
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args", "phrases", "english"),
    [
        (
            "home",
            [],
            [
                "Парламентские выборы, день голосования — 10 января 2021",
                "Явка",
                "Зарегистрировано избирателей",
                "Голоса и мандаты партий",
                "Опубликованные инциденты по видам",
                "Задержание",
                "Последние опубликованные инциденты",
                "Перейти к содержанию",
            ],
            ["Published incidents by kind", "Registered voters", "Votes and seats per party"],
        ),
        (
            "incident-list",
            [],
            [
                "Опубликованные инциденты",
                "опубликованных инцидент",
                "Фильтр и сортировка",
                "Степень подтверждения",
                "Блокировка интернета",
                "Скачать эти инциденты",
            ],
            ["Filter and sort", "Download these incidents", "published incidents match"],
        ),
        (
            "region-detail",
            ["KZ-75"],
            [
                "Официальные результаты",
                "Явка по стране",
                "ниже средней по стране",
                "Отказ в доступе",
                "в списке с фильтрами",
            ],
            ["Official result", "National turnout", "percentage points"],
        ),
        (
            "login",
            [],
            ["Войти", "Забыли пароль?", "Наблюдатели получают учётную запись от координатора"],
            ["Forgotten your password?", "Log in"],
        ),
    ],
)
def test_key_pages_render_in_russian(client, demo, name, args, phrases, english):
    url = reverse(name, args=args)
    page = russian_page(client, url)
    for phrase in phrases:
        assert phrase in page, (url, phrase)
    for phrase in english:
        assert phrase not in page, (url, phrase)
