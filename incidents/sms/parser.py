"""Reading one SMS into one report, a request for help, or a problem to answer.

Pure: no database. The caller passes the places the message may name
(``Places``: the election's station numbers with their region codes, its
region codes with their levels, its country code). What a message may say is
the table in codes.py; this module only walks it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..models.incidents import MAX_PEOPLE
from ..models.vocabularies import BlockageScope, RegionLevel
from . import codes

# Punctuation that separates words. A full stop or slash between digits is kept: it may be a station number (75.001).
STATION_SEPARATORS = re.compile(r"[./_\\–—]")
COUNT = re.compile(r"^(?P<number>\d{1,6})(?P<minimum>\+?)$")
GLUED_KIND = re.compile(r"^(?P<kind>[^\W\d_]{1,2})[-.]?(?P<rest>\d.*)$")


@dataclass(frozen=True)
class Places:
    """What the parser may look a place up in (all keys upper case)."""

    #: station number -> its region code
    stations: Mapping[str, str] = field(default_factory=dict)
    #: region code -> its level (RegionLevel value)
    regions: Mapping[str, str] = field(default_factory=dict)
    country: str = ""


@dataclass(frozen=True)
class Report:
    kind: str
    station: str | None = None
    region: str | None = None
    details: dict = field(default_factory=dict)
    #: the observer's own words after the codes (the whole message is kept as the description anyway)
    note: str = ""
    pin: str | None = None


@dataclass(frozen=True)
class Help:
    kind: str | None = None
    pin: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why a message makes no report. ``reason`` is one of REASONS."""

    reason: str
    kind: str | None = None
    field: str | None = None
    token: str = ""
    pin: str | None = None


REASONS = (
    "empty",  # nothing but spaces and punctuation
    "unknown_kind",  # the first word is no kind code
    "missing",  # a required field is not there
    "bad_code",  # a word where a field's code should be is none of its codes
    "bad_count",  # the number of people is not a whole number from 1
    "unknown_station",  # no polling station of the election has this number
    "unknown_place",  # neither the country, a region nor a station
)


WORD = re.compile(r"[^\s,;:!\"'()«»„“”\[\]{}*#|]+")


def words(text):
    """The words of a message as (as written, folded, where it starts) triples; dots and dashes
    around a word are punctuation."""
    found = []
    for match in WORD.finditer(text):
        word = match[0].strip(".-")
        if word:
            found.append((word, codes.fold(word), match.start() + match[0].index(word)))
    return found


def parse(text: str, places: Places) -> Report | Help | Problem:
    text = text or ""
    tokens = words(text)
    pin = None
    if len(tokens) > 1 and tokens[0][1].isdigit() and len(tokens[0][1]) in codes.PIN_LENGTHS:
        pin, tokens = tokens[0][1], tokens[1:]
    if not tokens:
        return Help(pin=pin) if "?" in (text or "") else Problem("empty", pin=pin)

    first = tokens[0][1]
    if first in codes.HELP_WORDS or first.rstrip("?") == "" or first.rstrip("?") in codes.HELP_WORDS:
        asked = codes.kind_for(tokens[1][1]) if len(tokens) > 1 else None
        return Help(kind=asked.kind if asked else None, pin=pin)

    entry = codes.kind_for(first)
    if entry is None:
        glued = GLUED_KIND.match(first)
        entry = codes.kind_for(glued["kind"]) if glued else None
        if entry is None:
            return Problem("unknown_kind", token=tokens[0][0], pin=pin)
        # "D75-001 ...": the kind written against the station number
        original, _, start = tokens[0]
        rest = original[len(glued["kind"]) :].lstrip("-.")
        tokens = [(rest, glued["rest"], start + len(original) - len(rest)), *tokens[1:]]
    else:
        tokens = tokens[1:]
    return _read_fields(entry, tokens, places, pin, text)


def _read_fields(entry, tokens, places, pin, text):
    found = {"kind": entry.kind, "station": None, "region": None, "details": dict(entry.fixed_details)}
    position = 0
    for spec in entry.fields:
        token = tokens[position] if position < len(tokens) else None
        if spec.takes == codes.TEXT:
            note = _rest(text, tokens, position)
            if not note:
                return Problem("missing", kind=entry.kind, field=spec.name, pin=pin)
            return Report(**found, note=note, pin=pin)
        if token is None:
            if spec.required:
                return Problem("missing", kind=entry.kind, field=spec.name, pin=pin)
            _set_default(found, spec)
            continue
        original, folded, _start = token
        if spec.takes == codes.STATION:
            number = station_number(folded)
            if number is None:
                return Problem("missing", kind=entry.kind, field=spec.name, token=original, pin=pin)
            if number not in places.stations:
                return Problem("unknown_station", kind=entry.kind, field=spec.name, token=number, pin=pin)
            found["station"], found["region"] = number, places.stations[number]
            position += 1
        elif spec.takes == codes.PLACE:
            place = _place(folded, places)
            if place is None:
                if not spec.required and not _looks_like_place(folded):
                    continue  # an optional place left out: the free text starts here
                return Problem("unknown_place", kind=entry.kind, field=spec.name, token=original, pin=pin)
            station, region, scope = place
            found["station"], found["region"] = station, region
            if spec.detail_field:
                found["details"][spec.detail_field] = scope
            position += 1
        elif spec.takes == codes.COUNT:
            match = COUNT.match(folded.replace("O", "0"))
            if match is None or not 1 <= int(match["number"]) <= MAX_PEOPLE:
                return Problem("bad_count", kind=entry.kind, field=spec.name, token=original, pin=pin)
            found["details"][spec.detail_field] = int(match["number"])
            if match["minimum"]:
                found["details"]["people_detained_is_minimum"] = True
            position += 1
        elif spec.takes == codes.CHOICE:
            chosen = spec.lookup(folded)
            if chosen is None:
                if spec.required or _looks_like_code(folded):
                    reason = "bad_code" if _looks_like_code(folded) else "missing"
                    return Problem(reason, kind=entry.kind, field=spec.name, token=original, pin=pin)
                _set_default(found, spec)
                continue
            found["details"][spec.detail_field] = chosen.value
            position += 1
        elif spec.takes == codes.CHOICES:
            chosen = []
            while position < len(tokens):
                candidate = spec.lookup(tokens[position][1])
                if candidate is None:
                    break
                if candidate.value not in chosen:
                    chosen.append(candidate.value)
                position += 1
            if not chosen and position < len(tokens) and _looks_like_code(tokens[position][1]):
                return Problem("bad_code", kind=entry.kind, field=spec.name, token=tokens[position][0], pin=pin)
            if not chosen and spec.required:
                return Problem("missing", kind=entry.kind, field=spec.name, pin=pin)
            found["details"][spec.detail_field] = chosen
    return Report(**found, note=_rest(text, tokens, position), pin=pin)


def _rest(text, tokens, position):
    """The message as written from word ``position`` on."""
    return text[tokens[position][2] :].strip() if position < len(tokens) else ""


def _set_default(found, spec):
    if spec.detail_field and spec.default is not None:
        default = spec.default
        found["details"][spec.detail_field] = list(default) if isinstance(default, tuple) else default


def _looks_like_code(folded):
    """Short words where a code belongs are taken for a mistyped code, longer ones for the observer's words."""
    return len(folded) <= 3 and not folded.isdigit()


def station_number(folded):
    """A station number as the election writes it: "75.001", "75/001" and "75-OO1" are read as 75-001."""
    if not any(character.isdigit() for character in folded):
        return None
    number = STATION_SEPARATORS.sub("-", folded)
    if re.fullmatch(r"[0-9O]+(-[0-9O]+)*", number):
        number = number.replace("O", "0")
    return number


def _looks_like_place(folded):
    return any(character.isdigit() for character in folded) or "-" in folded


def _place(folded, places):
    """The place a message names as (station number, region code, blockage scope), or None."""
    # КЗ-75: the Cyrillic З of a region code typed on a Russian keyboard
    folded = re.sub(r"(?<=[A-Z])З|З(?=[A-Z-])", "Z", folded)
    if places.country and folded == places.country.upper():
        return None, None, BlockageScope.NATIONAL.value
    if folded in places.regions:
        level = places.regions[folded]
        scope = BlockageScope.CITY if level == RegionLevel.CITY else BlockageScope.REGION
        return None, folded, scope.value
    number = station_number(folded)
    if number is not None and number in places.stations:
        return number, places.stations[number], BlockageScope.POLLING_STATION.value
    return None
