"""Incident cards: an incident as lists show it (the filtered list, the overview's and a region's
latest incidents), rendered once per incident and language and kept in the cache.

A list page not in the page cache (another filter, another page number) mostly shows incidents
some other list has shown already; building it then costs the ids of its page and one read of
their cards, instead of loading, shaping and rendering every row again. A card is kept under
the same generations as the pages (``cache.LISTS``, ``cache.REFERENCE``): whatever makes a page
stale (a publish, an edit, a retraction, an attachment made public, new reference data) makes
every card stale with it, so a card never shows what was withdrawn. Cards are kept
``OBSERVER_PUBLIC_PARTS_SECONDS`` at most (0: not kept), independently of the page cache, as the
other parts many pages share (``cache.kept``).
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .. import selectors
from . import cache as public_cache

TEMPLATE = "incidents/_incident_card.html"


def incident_cards(ids):
    """The card (safe HTML) of each published incident of ``ids``, in that order; ids no longer
    published are left out. One cache read; the cards missing from it cost two queries."""
    ids = list(ids)
    if not ids:
        return []
    seconds = settings.OBSERVER_PUBLIC_PARTS_SECONDS
    reference, lists = public_cache.generations(public_cache.REFERENCE, public_cache.LISTS)
    language = get_language()
    keys = {pk: public_cache.parts_key(f"card:{language}:{pk}", reference, lists) for pk in ids}
    found = cache.get_many(list(keys.values())) if seconds > 0 else {}
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        built = {
            keys[pk]: render_to_string(TEMPLATE, {"incident": incident})
            for pk, incident in selectors.incidents_public_by_pk(missing).items()
        }
        if seconds > 0 and built:
            cache.set_many(built, timeout=seconds)
        found.update(built)
    return [mark_safe(found[keys[pk]]) for pk in ids if keys[pk] in found]
