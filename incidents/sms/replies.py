"""The answers sent back by SMS, in the observer's language, short enough for one segment where they can be.

Every answer is built here from the code table, so that an error names the
codes the observer can use and gives the kind's example.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from . import codes
from .parser import Help, Problem

LANGUAGES = ("en", "ru", "kk")


def language_for(text, preferred=""):
    """The observer's language if known, else Russian for a message in Cyrillic, else English."""
    preferred = (preferred or "").split("-")[0]
    if preferred in LANGUAGES:
        return preferred
    if any("\u0400" <= character <= "\u04ff" for character in text or ""):
        return "ru"
    return "en"


def _codes_of(field):
    return ", ".join(f"{item.code} {item.label}" for item in field.codes)


def _field(entry, name):
    return next(item for item in entry.fields if item.name == name)


def help_text(kind=None):
    """The codes: every kind, or one kind's fields and example."""
    if kind is None:
        listed = "; ".join(f"{entry.code} {entry.label}" for entry in codes.KINDS)
        return _("Codes: %(kinds)s. Send ? D for the details of one.") % {"kinds": listed}
    entry = codes.KINDS_BY_KIND[kind]
    parts = [entry.template]
    parts += [f"{item.label}: {_codes_of(item)}" for item in entry.fields if item.codes]
    return _("%(details)s. Example: %(example)s") % {"details": ". ".join(parts), "example": entry.example}


def problem_text(problem: Problem):
    entry = codes.KINDS_BY_KIND.get(problem.kind) if problem.kind else None
    example = entry.example if entry else codes.KINDS[0].example
    values = {"token": problem.token, "example": example}
    if problem.reason == "empty":
        return _("The message is empty. Example: %(example)s. Send ? for the codes.") % values
    if problem.reason == "unknown_kind":
        return _("“%(token)s” is not a kind code. Send ? for the codes. Example: %(example)s") % values
    field = _field(entry, problem.field) if entry and problem.field else None
    values["field"] = field.label if field else ""
    if problem.reason == "bad_code" and field is not None and field.codes:
        values["codes"] = ", ".join(item.code for item in field.codes)
        return _("“%(token)s” is not a code for %(field)s (%(codes)s). Example: %(example)s") % values
    if problem.reason == "bad_count":
        return _("“%(token)s” is not a number of people. Example: %(example)s") % values
    if problem.reason == "unknown_station":
        return _("There is no polling station %(token)s. Check the number. Example: %(example)s") % values
    if problem.reason == "unknown_place":
        return _("“%(token)s” is neither a region nor a station. Example: %(example)s") % values
    return _("Missing: %(field)s. Example: %(example)s") % values


def parsed_text(result):
    """The answer to a Help or a Problem from the parser."""
    if isinstance(result, Help):
        return help_text(result.kind)
    return problem_text(result)


def received(*, reference, kind, place):
    values = {"reference": reference, "kind": codes.KINDS_BY_KIND[kind].label, "place": place}
    if place:
        return _("Received: %(reference)s (%(kind)s, %(place)s). Thank you.") % values
    return _("Received: %(reference)s (%(kind)s). Thank you.") % values


def already_received(*, reference):
    return _("Already received as %(reference)s. Thank you.") % {"reference": reference}


def wrong_pin():
    return _("Wrong or missing PIN: start the message with your SMS PIN.")


def locked(*, minutes):
    return _("Too many wrong PINs: SMS reports from this phone are paused for %(minutes)d minutes.") % {
        "minutes": minutes
    }


def unknown_sender():
    return _("This number is not registered with Observer. Ask your coordinator.")


def kept(*, reason):
    return _("Kept for a moderator: %(reason)s") % {"reason": reason}


def no_election():
    return _("No election is open for reports.")


def in_language(language, build, *args, **kwargs):
    """``build(*args, **kwargs)`` with ``language`` active."""
    with translation.override(language):
        return build(*args, **kwargs)
