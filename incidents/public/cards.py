"""Incident cards: an incident as lists show it (the filtered list, the overview's and a region's
latest incidents), rendered once per incident and language and kept in the cache.

A list page not in the page cache (another filter, another page number) mostly shows incidents
some other list has shown already; building it then costs the ids of its page and one read of
their cards, instead of loading, shaping and rendering every row again. A card is kept under
the same generations as the pages (``cache.LISTS``, ``cache.REFERENCE``): whatever makes a page
stale (a publish, an edit, a retraction, an attachment made public, new reference data) makes
every card stale with it, so a card never shows what was withdrawn. Cards are kept
``OBSERVER_PUBLIC_PARTS_SECONDS`` at most (0: not kept), independently of the page cache, as the
other parts many pages share (``cache.kept_many``).
"""

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
    language = get_language()

    def build(missing):
        shapes = selectors.incidents_public_by_pk(missing)
        return {pk: render_to_string(TEMPLATE, {"incident": incident}) for pk, incident in shapes.items()}

    cards = public_cache.kept_many({pk: f"card:{language}:{pk}" for pk in ids}, build)
    return [mark_safe(cards[pk]) for pk in ids if pk in cards]
