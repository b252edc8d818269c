"""The Russian and Kazakh catalogs are complete and well formed, and the pages speak them.

The catalogs are read with a small .po reader (no extra dependency); the pages need the
compiled catalogs, which `make test` (through `make messages`) builds before the suite runs.
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

#: language -> number of plural forms (Django's formulas: Russian one/few/many/other; Kazakh one/other)
LANGUAGES = {"ru": 4, "kk": 2}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>")


def catalog_path(language):
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


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


def translations(entry, nplurals):
    if "msgid_plural" in entry:
        return [entry.get(f"msgstr[{n}]", "") for n in range(nplurals)]
    return [entry.get("msgstr", "")]


@pytest.fixture(scope="module", params=sorted(LANGUAGES))
def catalog(request):
    language = request.param
    entries = read_po(catalog_path(language))
    assert entries and entries[0]["msgid"] == "", "the catalog starts with its header"
    return language, LANGUAGES[language], entries


def test_header_is_filled_in(catalog):
    language, nplurals, entries = catalog
    header = entries[0]
    assert "fuzzy" not in header["flags"]
    fields = dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if ": " in line)
    assert fields["Language"] == language
    assert fields["Plural-Forms"].startswith(f"nplurals={nplurals};")
    assert "FULL NAME" not in fields["Last-Translator"] and "LANGUAGE" not in fields["Language-Team"]


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    _language, nplurals, entries = catalog
    assert len(entries) > 800
    untranslated = [e["msgid"] for e in entries[1:] if not all(text.strip() for text in translations(e, nplurals))]
    fuzzy = [e["msgid"] for e in entries[1:] if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_placeholders_tags_and_outer_whitespace(catalog):
    _language, nplurals, entries = catalog
    for entry in entries[1:]:
        source = entry.get("msgid_plural", entry["msgid"])
        for text in translations(entry, nplurals):
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (entry["msgid"], text)
            assert text.count("%%") == source.count("%%"), entry["msgid"]
            assert text.count("\n") == entry["msgid"].count("\n"), entry["msgid"]
            assert text[:1].isspace() == entry["msgid"][:1].isspace(), entry["msgid"]
            assert text[-1:].isspace() == entry["msgid"][-1:].isspace(), entry["msgid"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_compiled_catalog_is_current(language):
    compiled = catalog_path(language).with_suffix(".mo")
    assert compiled.exists(), "run `make messages` (or `make test`) to compile the catalogs"
    assert compiled.stat().st_mtime >= catalog_path(language).stat().st_mtime, "the .mo is older: `make messages`"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "1 инцидент"),
        ("ru", 3, "3 инцидента"),
        ("ru", 5, "5 инцидентов"),
        ("ru", 11, "11 инцидентов"),
        ("ru", 21, "21 инцидент"),
        ("ru", 22, "22 инцидента"),
        ("ru", 112, "112 инцидентов"),
        ("kk", 1, "1 оқиға"),
        ("kk", 5, "5 оқиға"),
    ],
)
def test_plural_forms(language, count, expected):
    with translation.override(language):
        text = translation.ngettext("%(total)s incident", "%(total)s incidents", count) % {"total": count}
    assert text == expected


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


PAGES = [
    (
        "ru",
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
        "ru",
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
        "ru",
        "region-detail",
        ["KZ-75"],
        ["Официальные результаты", "Явка по стране", "ниже средней по стране", "Отказ в доступе"],
        ["Official result", "National turnout", "percentage points"],
    ),
    (
        "ru",
        "login",
        [],
        ["Войти", "Забыли пароль?", "Наблюдатели получают учётную запись от координатора"],
        ["Forgotten your password?", "Log in"],
    ),
    (
        "kk",
        "home",
        [],
        ["Шолу", "Оқиғалар", "Өңірлер", "Қатысу", "Тіркелген сайлаушылар", "Ел бойынша нәтиже"],
        ["Registered voters", "National result"],
    ),
    ("kk", "incident-list", [], ["Жарияланған оқиғалар", "Сүзу және сұрыптау"], ["Published incidents"]),
    ("kk", "region-detail", ["KZ-75"], ["Ресми нәтиже", "Ел бойынша қатысу"], ["Official result"]),
    ("kk", "login", [], ["Кіру", "Құпия сөзіңізді ұмыттыңыз ба?"], ["Forgotten your password?"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name", "args", "phrases", "english"), PAGES)
def test_key_pages_render_translated(client, demo, language, name, args, phrases, english):
    url = reverse(name, args=args)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    assert response["Content-Language"] == language
    page = html.unescape(response.content.decode())
    for phrase in phrases:
        assert phrase in page, (url, phrase)
    for phrase in english:
        assert phrase not in page, (url, phrase)


def test_kazakh_dates_put_the_year_first():
    import datetime

    from django.utils import formats

    with translation.override("kk"):
        text = formats.date_format(datetime.date(2021, 1, 10))
    assert text.startswith("2021 жылғы 10 ")
