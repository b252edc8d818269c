"""Names sorted in the reader's alphabet: ICU collation (PyICU, the CLDR rules of each language).

Python's own ``sorted`` orders by code point, which puts Kazakh letters
(Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І) after the whole Russian alphabet: "Атырау" before
"Ақмола". ICU's Kazakh collation puts Қ after К, Ә after А, and І after Ы, as
the Kazakh alphabet does; its Russian collation puts Ё beside Е.
"""

import functools

import icu
from django.conf import settings
from django.utils.translation import get_language


@functools.lru_cache(maxsize=8)
def _collator(language):
    collator = icu.Collator.createInstance(icu.Locale(language))
    collator.setStrength(icu.Collator.TERTIARY)
    return collator


def name_key(language=None):
    """A sort key function for names in ``language`` (default: the active language)."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return _collator(language).getSortKey


def sorted_names(items, key=str, language=None):
    """``items`` sorted by ``key(item)`` in the alphabet of ``language``."""
    collation_key = name_key(language)
    return sorted(items, key=lambda item: collation_key(key(item)))
