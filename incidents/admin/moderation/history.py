"""The incident's history as sentences in the moderator's language, and times in the election's zone.

``event_sentence(event)`` reads an IncidentEvent from two tables: what each action says
(``ACTION_SENTENCES``) and how a change of each kind of field is told (``describe_change``):
fields by their verbose names, values by their labels, long and private texts only as "changed".
"""

import datetime
import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...models import DETAIL_MODELS, EventAction, Incident

#: what each step says; ``%(actor)s`` is who made it
ACTION_SENTENCES = {
    EventAction.SUBMITTED: _("%(actor)s filed the report"),
    EventAction.EDITED: _("%(actor)s edited it"),
    EventAction.CLAIMED: _("%(actor)s claimed it"),
    EventAction.RELEASED: _("%(actor)s released the claim"),
    EventAction.CLAIM_EXPIRED: _("The claim expired and the report went back to the queue"),
    EventAction.CLAIM_BROKEN: _("%(actor)s took the claim back and returned the report to the queue"),
    EventAction.REASSIGNED: _("%(actor)s gave it to another moderator"),
    EventAction.VERIFIED: _("%(actor)s verified it"),
    EventAction.APPROVED: _("%(actor)s approved its publication"),
    EventAction.ASKED: _("%(actor)s asked the observer for more information"),
    EventAction.ANSWERED: _("%(actor)s answered the question"),
    EventAction.REJECTED: _("%(actor)s rejected it"),
    EventAction.MERGED: _("%(actor)s linked it with a duplicate"),
    EventAction.PUBLISHED: _("%(actor)s published it"),
    EventAction.RETRACTED: _("%(actor)s retracted it"),
    EventAction.COMMENTED: _("%(actor)s left an internal note"),
    EventAction.ATTACHED: _("%(actor)s attached files"),
}
#: the fields whose values are never repeated in the history: long, or private
TOLD_AS_CHANGED = (models.TextField,)
#: changes whose value is told in a sentence of its own
SPECIAL_CHANGES = {
    "duplicate_of": _("it is a duplicate of %(new)s"),
    "duplicates": _("%(new)s reports the same event"),
}
ATTACHMENT_PUBLIC = re.compile(r"^attachment (\d+) public$")
#: fields kept out of the sentences: the claim, its holder and its time are told by the action's own sentence
UNTOLD = ("claimed_at", "assignee")


def local_time(value, zone, *, short=False):
    """``value`` in ``zone``, formatted for the active language, with the zone named."""
    if value is None:
        return ""
    local = timezone.localtime(value, zone)
    text = formats.date_format(local, "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")
    return text if short else f"{text} ({zone.key})"


def actor_name(user):
    if user is None:
        return gettext("The system")
    return user.get_full_name() or user.get_username()


def _field(name, kind):
    """The model field a change's key names: ``region`` on the incident, ``detention.released_at`` on a detail."""
    model, field_name = Incident, name
    if "." in name:
        prefix, field_name = name.split(".", 1)
        model = DETAIL_MODELS.get(prefix)
    if model is None:
        return None
    try:
        return model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None


def _value(field, value, zone):
    """A recorded value as the moderator reads it: a choice's label, yes/no, a local time."""
    if value in (None, "", []):
        return gettext("nothing")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    choices = dict(field.flatchoices) if getattr(field, "flatchoices", None) else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if value in choices:
        return str(choices[value])
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return local_time(datetime.datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    return str(value)


def describe_change(name, old, new, *, zone=datetime.UTC):
    """One change of an event (``changes[name] == [old, new]``) as a phrase, or "" if it is not told."""
    if name in UNTOLD:
        return ""
    if name in SPECIAL_CHANGES:
        return str(SPECIAL_CHANGES[name]) % {"new": new}
    attachment = ATTACHMENT_PUBLIC.match(name)
    if attachment:
        if new:
            return gettext("a file was made public")
        return gettext("a file was made private")
    field = _field(name, None)
    if field is None:
        return gettext("%(field)s was changed") % {"field": name.replace("_", " ")}
    label = str(field.verbose_name)
    if field.is_relation:
        return gettext("the %(field)s was changed") % {"field": label}
    if isinstance(field, TOLD_AS_CHANGED):
        return gettext("the %(field)s was changed") % {"field": label}
    return gettext("the %(field)s was changed from %(old)s to %(new)s") % {
        "field": label,
        "old": _value(field, old, zone),
        "new": _value(field, new, zone),
    }


def event_sentence(event, *, zone=datetime.UTC):
    """``event`` as a sentence in the active language: who did what, then what changed."""
    template = ACTION_SENTENCES.get(event.action, _("%(actor)s changed it"))
    sentence = str(template) % {"actor": actor_name(event.actor)}
    changes = [
        phrase
        for name, pair in (event.changes or {}).items()
        if isinstance(pair, list | tuple) and len(pair) == 2
        if (phrase := describe_change(name, pair[0], pair[1], zone=zone))
    ]
    if changes:
        return gettext("%(sentence)s: %(changes)s.") % {"sentence": sentence, "changes": "; ".join(changes)}
    return f"{sentence}."
