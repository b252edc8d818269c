"""The SMS code table: the one definition of what an observer may text.

A message is ``[PIN] KIND field field ... [free words]``. Each kind lists its
fields in order; each field says what it takes (a polling station number, a
place, a count, one code, several codes, free text), whether it is required,
and which detail field of incidents/models/incidents.py it fills. Codes are
Latin letters; each has Cyrillic spellings (``aliases``) so that a Russian or
Kazakh keyboard works too, and Cyrillic letters that look like Latin ones
(А, В, Е, К, М, Н, О, Р, С, Т, У, Х, Қ, Ү, І ...) are read as those letters.

The parser (parser.py), the printable card (the ``sms-card`` page) and
docs/sms.md all read this table; nothing else defines a code.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..models.vocabularies import (
    BlockageType,
    DenialMethod,
    DeniedPerson,
    DetentionCircumstance,
    IncidentKind,
    InternetService,
    Perpetrator,
)

# Cyrillic (Russian and Kazakh) capitals that look like a Latin capital, read as that letter.
LOOK_ALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "Ё": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "Ә": "A",
        "Қ": "K",
        "Ң": "H",
        "Ө": "O",
        "Ү": "Y",
        "Ұ": "Y",
        "Һ": "H",
        "І": "I",
        "Ї": "I",
    }
)


def fold(token: str) -> str:
    """``token`` in capitals with Cyrillic look-alikes read as Latin letters: "д" -> "Д", "р" -> "P"."""
    return token.upper().translate(LOOK_ALIKES)


# What a field takes.
STATION = "station"  # a polling station number of the election, e.g. 75-001
PLACE = "place"  # the country code, a region code (KZ-75) or a station number
COUNT = "count"  # a whole number of people, "12+" for "at least 12"
CHOICE = "choice"  # one code of the field
CHOICES = "choices"  # one or more codes of the field, one after another
TEXT = "text"  # the rest of the message, in the observer's words


@dataclass(frozen=True)
class Code:
    """One code of a field: what the card prints, its other spellings, the vocabulary value."""

    code: str
    value: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self):
        """Every accepted spelling, folded as the parser folds what it reads."""
        return {fold(self.code), *(fold(alias) for alias in self.aliases)}


def code(choice, latin, *aliases):
    """A Code for a vocabulary member (its value and label come from the vocabulary)."""
    return Code(code=latin, value=choice.value, label=choice.label, aliases=aliases)


@dataclass(frozen=True)
class Field:
    name: str
    takes: str
    label: str
    required: bool = True
    codes: tuple[Code, ...] = ()
    #: the detail field it fills; "" for the station, place and text (they fill the incident)
    detail_field: str = ""
    #: the detail value when an optional field is left out
    default: object = None

    def lookup(self, folded_token):
        for candidate in self.codes:
            if folded_token in candidate.spellings:
                return candidate
        return None


@dataclass(frozen=True)
class KindCode:
    kind: str
    code: str
    aliases: tuple[str, ...]
    fields: tuple[Field, ...]
    example: str
    fixed_details: dict = field(default_factory=dict)

    @property
    def label(self):
        return IncidentKind(self.kind).label

    @property
    def spellings(self):
        return {fold(self.code), *(fold(alias) for alias in self.aliases)}

    @property
    def template(self):
        """The shape of the message, e.g. "D <station> <how many> <by whom> [how]"."""
        parts = [self.code]
        for item in self.fields:
            name = f"<{item.name}>"
            parts.append(name if item.required else f"[{name}]")
        return " ".join(parts)


PERPETRATOR = Field(
    name="by",
    takes=CHOICE,
    label=_("detained by"),
    detail_field="detained_by",
    codes=(
        code(Perpetrator.POLICE, "P", "П", "POLICE", "ПОЛИЦИЯ"),
        code(Perpetrator.NATIONAL_GUARD, "G", "Г", "GUARD", "ГВАРДИЯ"),
        code(Perpetrator.PLAIN_CLOTHES, "C", "Ш", "ШТАТСКИЕ"),
        code(Perpetrator.UNKNOWN, "U", "Н", "?"),
    ),
)

CIRCUMSTANCES = Field(
    name="how",
    takes=CHOICE,
    label=_("how"),
    required=False,
    detail_field="circumstances",
    default=DetentionCircumstance.OTHER.value,
    codes=(
        code(DetentionCircumstance.AT_PROTEST, "A", "А"),
        code(DetentionCircumstance.AT_POLLING_STATION, "S", "У"),
        code(DetentionCircumstance.FROM_HOME, "H", "Д"),
        code(DetentionCircumstance.ON_STREET, "T", "Т"),
        code(DetentionCircumstance.OTHER, "O", "О"),
    ),
)

DENIED_PERSON = Field(
    name="who",
    takes=CHOICE,
    label=_("who was kept out"),
    detail_field="person_role",
    codes=(
        code(DeniedPerson.OBSERVER, "O", "Н"),
        code(DeniedPerson.JOURNALIST, "J", "Ж"),
        code(DeniedPerson.PARTY_AGENT, "P", "П"),
        code(DeniedPerson.INTERNATIONAL_OBSERVER, "I", "М"),
    ),
)

DENIAL_METHODS = Field(
    name="how",
    takes=CHOICES,
    label=_("how"),
    required=False,
    detail_field="methods",
    default=(),
    codes=(
        code(DenialMethod.REFUSED_ENTRY, "R", "Н"),
        code(DenialMethod.EXPELLED, "E", "В"),
        code(DenialMethod.VIEW_OBSTRUCTED, "V", "О"),
        code(DenialMethod.PHOTOGRAPHY_BANNED, "F", "Ф"),
        code(DenialMethod.DOCUMENT_DEMANDED, "D", "Д"),
        code(DenialMethod.PHYSICAL_FORCE, "X", "С"),
    ),
)

BLOCKAGE_TYPE = Field(
    name="what",
    takes=CHOICE,
    label=_("what was cut"),
    detail_field="blockage_type",
    codes=(
        code(BlockageType.MOBILE_DATA, "M", "М"),
        code(BlockageType.FULL_SHUTDOWN, "F", "П"),
        code(BlockageType.FIXED_BROADBAND, "W", "Ш"),
        code(BlockageType.THROTTLING, "T", "З"),
        code(BlockageType.PLATFORM_BLOCK, "P", "С"),
        code(BlockageType.UNKNOWN, "U", "Н"),
    ),
)

SERVICES = Field(
    name="services",
    takes=CHOICES,
    label=_("services"),
    required=False,
    detail_field="services",
    default=(),
    codes=(
        code(InternetService.WHATSAPP, "WA", "ВА", "ВАТСАП", "WHATSAPP"),
        code(InternetService.TELEGRAM, "TG", "ТГ", "ТЕЛЕГРАМ", "TELEGRAM"),
        code(InternetService.FACEBOOK, "FB", "ФБ", "FACEBOOK"),
        code(InternetService.INSTAGRAM, "IG", "ИГ", "ИНСТА", "INSTAGRAM"),
        code(InternetService.YOUTUBE, "YT", "ЮТ", "YOUTUBE"),
        code(InternetService.X, "X", "Х", "TWITTER"),
        code(InternetService.TIKTOK, "TT", "ТТ", "TIKTOK"),
        code(InternetService.VPN, "VPN", "ВПН"),
        code(InternetService.SMS, "SMS", "СМС"),
        code(InternetService.VOICE, "V", "ЗВ"),
    ),
)

STATION_FIELD = Field(name="station", takes=STATION, label=_("polling station"))
PLACE_FIELD = Field(name="place", takes=PLACE, label=_("region or station"), detail_field="scope")
OPTIONAL_PLACE = Field(name="place", takes=PLACE, label=_("region or station"), required=False)
TEXT_FIELD = Field(name="text", takes=TEXT, label=_("what happened"))
COUNT_FIELD = Field(name="how many", takes=COUNT, label=_("how many people"), detail_field="people_detained")


def other_kind(kind, latin, *aliases, example):
    return KindCode(kind=kind, code=latin, aliases=aliases, fields=(OPTIONAL_PLACE, TEXT_FIELD), example=example)


#: The kinds, in the order of the card. A kind's code and aliases are unique among kinds.
KINDS = (
    KindCode(
        kind=IncidentKind.DETENTION.value,
        code="D",
        aliases=("Д", "З"),
        fields=(STATION_FIELD, COUNT_FIELD, PERPETRATOR, CIRCUMSTANCES),
        example="D 75-001 12 P A",
    ),
    KindCode(
        kind=IncidentKind.DENIED_ACCESS.value,
        code="A",
        aliases=("Н",),
        fields=(STATION_FIELD, DENIED_PERSON, DENIAL_METHODS),
        example="A 75-001 O E",
    ),
    KindCode(
        kind=IncidentKind.INTERNET_BLOCKAGE.value,
        code="B",
        aliases=("Б", "И"),
        fields=(PLACE_FIELD, BLOCKAGE_TYPE, SERVICES),
        example="B KZ-75 M WA TG",
    ),
    other_kind(IncidentKind.BALLOT_STUFFING.value, "S", "ВБ", example="S 75-001 ballots thrown in at 15:10"),
    other_kind(IncidentKind.INTIMIDATION.value, "I", "У", example="I 75-001 voters threatened at the door"),
    other_kind(IncidentKind.VOTE_BUYING.value, "V", "П", example="V 75-001 money for votes at the entrance"),
    other_kind(IncidentKind.CAROUSEL_VOTING.value, "C", "К", example="C 75-001 a bus of the same voters again"),
    other_kind(IncidentKind.PROCEDURAL.value, "R", "ПР", example="R 75-001 seals broken before counting"),
    other_kind(IncidentKind.OTHER.value, "O", "ДР", example="O 75-001 what happened"),
)

KINDS_BY_KIND = {entry.kind: entry for entry in KINDS}

#: Messages that ask for the codes (optionally followed by a kind: "? D").
HELP_WORDS = frozenset(fold(word) for word in ("?", "HELP", "ПОМОЩЬ", "ПОМОЩ", "СПРАВКА", "КӨМЕК", "КОМЕК", "ИНФО"))

#: A PIN is the first word of a message when it is all digits of this length.
PIN_LENGTHS = range(4, 9)


def kind_for(folded_token):
    for entry in KINDS:
        if folded_token in entry.spellings:
            return entry
    return None
