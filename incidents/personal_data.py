"""Finding personal data in text that is about to become public.

The guard runs on every public text a moderator writes (the public summary
when publishing or editing a published incident, the retraction notice) and
refuses it when it finds:

- the reporter's names, login, e-mail address, phone number or accreditation number;
- names entered as detained persons;
- any e-mail address or phone number;
- any 12-digit number (a Kazakh IIN, the national identity number).

Names are matched as whole words, ignoring case, across the Latin and
Cyrillic alphabets (both are reduced to one Latin skeleton, so "Aigerim" finds
"Айгерим" and "Нурлан" finds "Nurlan"), and with the endings that Russian and
Kazakh add to a name ("Нурлан" also finds "Нурлана", "Privatova" also finds
"Privatovoy"). Identifiers (login, accreditation number) are matched letter by
letter with any spaces, dashes, slashes, dots or brackets between them
("KZ-2021-0457" finds "KZ 2021 0457"). It is a safety net, not a proof: a
moderator still reads what they publish.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: twelve digits standing alone: an IIN (and no phone number is written so)
IIN = re.compile(r"(?<![\d\w])\d{12}(?![\d\w])")
#: a run of digits with spaces, hyphens or brackets between them, perhaps after a +
PHONE = re.compile(r"(?<![\d\w+])\+?\(?\d(?:[ \-()]{0,2}\d){6,17}")
PHONE_DIGITS = range(10, 16)
#: a link: the digits in its path (an OONI measurement's time stamp, say) are not phone or ID numbers
URL = re.compile(r"https?://\S+")
WORD = re.compile(r"\w+")
#: name parts shorter than this are too common to search for
MIN_NAME_PART = 3
#: letters an inflected form may add after a name (Нурлан -> Нурланом)
MAX_ENDING = 3
VOWELS = set("aeiouyаеёиоуыэюяәіөұүі")
#: places names are listed in: one person per line, or separated by commas or semicolons
NAME_SEPARATORS = re.compile(r"[,;\n]+")


#: Cyrillic (Russian and Kazakh) letters in Latin, as names are commonly transliterated
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i",
}  # fmt: skip
#: Latin spellings of one sound reduced to one (after the Cyrillic is transliterated)
LATIN_VARIANTS = [
    (re.compile(r"shch|sch"), "sh"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"tz"), "ts"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"[yj](?!h)"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Жанна, Zhana
]
#: what may stand between the letters of an identifier as someone writes it
IDENTIFIER_GAP = r"[\s\-‐-―/.()\[\]]*"


def skeleton(word):
    """``word`` reduced to a Latin skeleton that its Latin and Cyrillic spellings share."""
    latin = "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in word.casefold())
    for pattern, replacement in LATIN_VARIANTS:
        latin = pattern.sub(replacement, latin)
    return latin


@dataclass(frozen=True)
class Finding:
    what: str  # what kind of personal data, for the message
    text: str  # the text that was found

    def __str__(self):
        return f"{self.what} “{self.text}”"


LABELS = {
    "email": _("an e-mail address"),
    "phone": _("a phone number"),
    "iin": _("a national ID number (IIN)"),
    "reporter": _("the reporter's name or login"),
    "reporter_id": _("the reporter's accreditation number"),
    "detained": _("the name of a detained person"),
}


def _digits(text):
    return re.sub(r"\D", "", text)


def _name_parts(name):
    return [
        skeleton(part) for part in WORD.findall(name.casefold()) if len(part) >= MIN_NAME_PART and not part.isdigit()
    ]


def _stem(part):
    """A name part without a final vowel, which Russian and Kazakh endings replace."""
    if len(part) >= 5 and part[-1] in VOWELS:
        return part[:-1]
    return part


def _word_is_name(word, part):
    if word == part:
        return True
    if len(part) < 4:
        return False
    stem = _stem(part)
    return word.startswith(stem) and len(word) - len(stem) <= MAX_ENDING


def _find_names(text, names, what):
    findings = []
    words = [(match.group(), skeleton(match.group())) for match in WORD.finditer(text)]
    for name in names:
        for part in _name_parts(name):
            for original, word in words:
                if _word_is_name(word, part):
                    findings.append(Finding(str(LABELS[what]), original))
    return findings


def _find_literal(text, value, what):
    """``value`` in ``text`` as written, or letter by letter with spaces, dashes or brackets between."""
    characters = [ch for ch in value.strip() if ch.isalnum()]
    if len(value.strip()) < MIN_NAME_PART or len(characters) < MIN_NAME_PART:
        return []
    pattern = IDENTIFIER_GAP.join(re.escape(ch) for ch in characters)
    match = re.search(rf"(?<![^\W_]){pattern}(?![^\W_])", text, re.IGNORECASE)
    return [Finding(str(LABELS[what]), match.group().strip())] if match else []


def find_personal_data(text, *, reporter_names=(), reporter_identifiers=(), detained_names=()):
    """Every piece of personal data found in ``text``, each once, in the order found.

    ``reporter_names`` are names (matched word by word), ``reporter_identifiers``
    login, e-mail, phone and accreditation number (matched as written),
    ``detained_names`` the names entered as detained persons.
    """
    if not text:
        return []
    findings = []
    findings += [Finding(str(LABELS["email"]), m.group()) for m in EMAIL.finditer(text)]
    links = [match.span() for match in URL.finditer(text)]

    def in_link(match):
        return any(start <= match.start() and match.end() <= end for start, end in links)

    iin_spans = []
    for match in IIN.finditer(text):
        if in_link(match):
            continue
        iin_spans.append(match.span())
        findings.append(Finding(str(LABELS["iin"]), match.group()))
    for match in PHONE.finditer(text):
        if in_link(match):
            continue
        if len(_digits(match.group())) in PHONE_DIGITS and match.span() not in iin_spans:
            findings.append(Finding(str(LABELS["phone"]), match.group().strip()))
    findings += _find_names(text, reporter_names, "reporter")
    for identifier in reporter_identifiers:
        findings += _find_literal(text, identifier, "reporter")
    findings += _find_names(text, detained_names, "detained")
    unique = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    return unique


def find_in_incident_text(text, incident):
    """Personal data of ``incident``'s reporter and detained persons, and any
    contact or ID number, found in ``text``."""
    reporter_names, identifiers, detained = [], [], []
    reporter = incident.reporter
    if reporter is not None:
        user = reporter.user
        reporter_names = [user.first_name, user.last_name]
        identifiers = [user.get_username(), user.email, reporter.phone, reporter.accreditation_number]
    detention = getattr(incident, "detention", None) if incident.kind == "detention" else None
    if detention is not None and detention.detained_names:
        detained = [name for name in NAME_SEPARATORS.split(detention.detained_names) if name.strip()]
    findings = find_personal_data(
        text, reporter_names=reporter_names, reporter_identifiers=identifiers, detained_names=detained
    )
    # The reporter's phone, however it is written.
    wanted = _digits(reporter.phone) if reporter is not None else ""
    if len(wanted) >= 7:
        for match in PHONE.finditer(text):
            if wanted.endswith(_digits(match.group())):
                finding = Finding(str(LABELS["phone"]), match.group().strip())
                if finding not in findings:
                    findings.append(finding)
    return findings


MESSAGES = {
    "public_summary": _("The public summary contains personal data: %(found)s. Take it out, then try again."),
    "retraction_notice": _("The retraction notice contains personal data: %(found)s. Take it out, then try again."),
}
#: for the public texts of the details, named by their field's label
FIELD_MESSAGE = _("“%(field)s” is public and contains personal data: %(found)s. Take it out, then try again.")


def describe(findings, text_name="public_summary", label=None):
    """One sentence for the moderator that says what was found, and where."""
    found = "; ".join(str(finding) for finding in findings)
    if text_name in MESSAGES:
        return MESSAGES[text_name] % {"found": found}
    return FIELD_MESSAGE % {"field": label or text_name, "found": found}
