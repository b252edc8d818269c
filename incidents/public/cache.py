"""Caching of public pages, and clearing what a change makes stale.

Public pages are the same for every visitor, so their content is cached
(Redis when ``REDIS_URL`` is set, else local memory) under keys that carry a
*generation* number per scope:

* ``lists`` — every page, map and feed that shows published incidents,
  incident pages included;
* ``reference`` — everything: elections, regions, stations, parties and
  results are shown on every page.

Clearing a scope is raising its generation: old entries are never read
again and expire by themselves. ``incident_changed`` (sent by the services
after commit) raises ``lists`` when a published incident changes or a
publish or retraction happens; saving an attachment of a public incident
raises it too; saving reference data raises ``reference``, and an import
(bulk writes, no model signals) sends ``reference_data_changed``, which raises
both. Every clearing waits for the commit (``clear_on_commit``), so that a
request running meanwhile cannot cache the rows as they were. Changes to
reports nobody outside sees yet clear nothing. Entries also expire after
``OBSERVER_PUBLIC_CACHE_SECONDS``. (Incident pages share the ``lists``
generation rather than having one each: a page from the cache then needs
no look-up of its own generation, and publishing rebuilds them lazily.)

Each process keeps the generations it read for a second
(``GENERATIONS_KEPT_SECONDS``): a change shows at once in the process that
made it, within a second in the others.

An anonymous visitor with no session and no message waiting gets the whole
page from the cache, layout included (``cached_response``); everyone else
gets the cached content inside a layout rendered for them. A whole page is
kept compressed with gzip too, once when it is built, and sent so to a browser
that accepts it (a sixth of the bytes on a slow or throttled line, and no
compression per request); it holds nothing of one visitor, so nothing secret
can be guessed from its compressed size. The most used whole pages are also
kept in each process's memory (``PAGES_KEPT_BYTES``), so the busiest pages
cost no round trip at all.

Pages not in the cache share a bounded budget (``build``): a process builds
at most ``OBSERVER_PUBLIC_BUILDS_PER_PROCESS`` at once (a further one waits
``BUILD_WAIT_SECONDS`` for a turn, then is answered 503 with Retry-After);
one client builds at most ``OBSERVER_PUBLIC_BUILDS_PER_CLIENT`` pages a
``BUILD_WINDOW_SECONDS`` (then 429, and the process refuses that client
again without asking Redis until the window ends); identical misses wait for the one
build already under way instead of building the page again; and the query
string is put in a canonical order, so that the same filters in another
order share one entry. Someone who floods the site with random filters
thus spends their own budget, not the readers' capacity: pages in the cache
are served whatever the budget says.

With local memory each process has its own cache, so a change made in one
process is seen by the others only once their entries expire: run with
Redis when more than one process serves the site.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.text import compress_string
from django.utils.translation import get_language

from .. import rate
from ..models import (
    Attachment,
    Election,
    EventAction,
    Incident,
    OfficialResult,
    Party,
    PartyResult,
    PollingStation,
    ProtocolCopy,
    ProtocolLine,
    PvtSample,
    Region,
    Status,
)
from ..signals import incident_changed, reference_data_changed

LISTS = "lists"
REFERENCE = "reference"
PUBLIC_STATUSES = (Status.PUBLISHED, Status.RETRACTED)
PUBLIC_ACTIONS = (EventAction.PUBLISHED, EventAction.RETRACTED)
REFERENCE_MODELS = (Election, Region, PollingStation, Party, OfficialResult, PartyResult)


def _generation_key(scope):
    return f"public:generation:{scope}"


#: seconds a process trusts the generations it last read (a page from the cache then costs
#: one round trip to Redis instead of two)
GENERATIONS_KEPT_SECONDS = 1.0
#: {scope: (generation, monotonic time read)}, this process's copy
_kept = {}


def generations(*scopes):
    """The current generation of each scope; a missing one starts at a value never used before.

    Read from the cache, or from this process's copy when it is under
    GENERATIONS_KEPT_SECONDS old: a change made in another process shows within
    that second; one made in this process (``clear``) at once.
    """
    now = time.monotonic()
    kept = {scope: _kept.get(scope) for scope in scopes}
    stale = [scope for scope, entry in kept.items() if entry is None or now - entry[1] > GENERATIONS_KEPT_SECONDS]
    if stale:
        found = cache.get_many([_generation_key(scope) for scope in stale])
        for scope in stale:
            key = _generation_key(scope)
            value = found.get(key)
            if value is None:
                cache.add(key, time.time_ns(), timeout=None)
                value = cache.get(key)
            kept[scope] = _kept[scope] = (value, now)
    return [kept[scope][0] for scope in scopes]


#: {name: (reference generation, value, monotonic time read)}: reference data this process read for public pages
_reference_kept = {}


def reference_kept(name, build):
    """``build()``'s value, kept by this process until the reference data changes.

    For what every public page reads and is the same for all of them (the current election,
    the elections of the header's switcher and the filter's choices, the region tree): kept
    under the ``reference`` generation, which each cached page's key holds too, so that a new
    election or region shows in these within the same second as in the pages; and, like the
    parts, ``OBSERVER_PUBLIC_PARTS_SECONDS`` at most (built every time when 0). The value is
    shared by the process's threads: callers must not change it (copy a model instance first).
    """
    longest = settings.OBSERVER_PUBLIC_PARTS_SECONDS
    if longest <= 0:
        return build()
    (generation,) = generations(REFERENCE)
    now = time.monotonic()
    entry = _reference_kept.get(name)
    if entry is not None and entry[0] == generation and now - entry[2] < longest:
        return entry[1]
    value = build()
    _reference_kept[name] = (generation, value, now)
    return value


def clear(*scopes):
    """Make every cached page of ``scopes`` stale."""
    for scope in scopes:
        _kept.pop(scope, None)
        key = _generation_key(scope)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), timeout=None)


def canonical_address(request):
    """The request's whole address (host included: feeds carry absolute links) with its query
    in a canonical order: the same parameters in any order, and empty ones left out, are one page."""
    pairs = sorted((name, value) for name, values in request.GET.lists() for value in values if value != "")
    query = urlencode(pairs)
    return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")


def clear_on_commit(*scopes):
    """Clear ``scopes`` once the current transaction commits (at once outside one). Clearing before
    the commit would let a concurrent request cache the rows as they were until then."""
    transaction.on_commit(lambda: clear(*scopes))


def page_key(scope, request, kind="page"):
    """A key for what ``request`` asks of ``scope``, in the active language."""
    reference, generation = generations(REFERENCE, scope)
    address = hashlib.sha256(canonical_address(request).encode()).hexdigest()[:32]
    return f"public:{kind}:{scope}:{reference}:{generation}:{get_language()}:{address}"


def kept_many(names, build, *, seconds=None):
    """Parts many pages share (incident cards, incident counts), kept in the cache under the
    current generations of both scopes, so that whatever makes a page stale makes them stale too.

    ``names`` is ``{item: name}``, a name saying what the part is and of what (an election, a
    region, a language); ``build(items)`` gives ``{item: value}`` for the items not in the cache
    (one it leaves out is neither kept nor returned). Returns ``{item: value}`` in one cache read
    and at most one write. Kept ``OBSERVER_PUBLIC_PARTS_SECONDS`` at most, or ``seconds`` when
    shorter (a part whose name carries the minute is never read after it); built every time
    when 0."""
    longest = settings.OBSERVER_PUBLIC_PARTS_SECONDS
    seconds = longest if seconds is None else min(seconds, longest)
    reference, lists = generations(REFERENCE, LISTS)
    keys = {item: f"public:part:{reference}:{lists}:{name}" for item, name in names.items()}
    found = cache.get_many(list(keys.values())) if seconds > 0 else {}
    values = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in values]
    if missing:
        built = build(missing)
        if seconds > 0 and built:
            cache.set_many({keys[item]: value for item, value in built.items()}, timeout=seconds)
        values.update(built)
    return values


def kept(name, build, *, seconds=None):
    """One part many pages share (``build()``), as ``kept_many`` keeps them."""
    return kept_many({name: name}, lambda _missing: {name: build()}, seconds=seconds)[name]


# The budget of pages built from the database ----------------------------------------------------------------------

#: seconds a build waits for a turn among this process's builds, or for an identical build under way
BUILD_WAIT_SECONDS = 0.5
#: how often a request that waits for an identical build looks for its result
BUILD_POLL_SECONDS = 0.02
#: the window over which a client's builds are counted
BUILD_WINDOW_SECONDS = 60


class BuildRefused(Exception):
    """A page not in the cache cannot be built now: the process is busy building others (503),
    or this client has used up its builds for the window (429). ``BuildBudgetMiddleware``
    answers it; nothing is cached."""

    def __init__(self, status, retry_after):
        super().__init__(status, retry_after)
        self.status = status
        self.retry_after = retry_after


_slots = None
_slots_lock = threading.Lock()
#: set while this thread builds a page: a part of it missing from the cache (the content inside
#: a whole page) is built within the same turn, not counted again
_building = threading.local()


def _build_slots():
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.OBSERVER_PUBLIC_BUILDS_PER_PROCESS)
        return _slots


#: (window, {client addresses}): the clients this process refused in the current window, refused
#: again until it ends without a round trip to Redis (a flood's refusals then cost next to nothing)
_refused = (None, frozenset())
_refused_lock = threading.Lock()


def reset_budget():
    """Forget this process's build slots and the clients it refused (after a change of the
    setting, in tests)."""
    global _slots, _refused
    with _slots_lock:
        _slots = None
    with _refused_lock:
        _refused = (None, frozenset())


def _client_and_window(request):
    from ..security.audit import client_ip

    return client_ip(request) or "unknown", int(time.time() // BUILD_WINDOW_SECONDS)


def _retry_after():
    return BUILD_WINDOW_SECONDS - int(time.time()) % BUILD_WINDOW_SECONDS


def _refused_already(request):
    """Refuse (429) a client this process refused already in this window."""
    refused_window, clients = _refused
    if not clients or settings.OBSERVER_PUBLIC_BUILDS_PER_CLIENT <= 0:
        return
    client, window = _client_and_window(request)
    if window == refused_window and client in clients:
        raise BuildRefused(429, _retry_after())


def _remember_refused(client, window):
    global _refused
    with _refused_lock:
        known_window, clients = _refused
        _refused = (window, (clients if known_window == window else frozenset()) | {client})


def _client_spends_a_build(request):
    """Count a build against the client's budget; refuse (429) when it is used up."""
    limit = settings.OBSERVER_PUBLIC_BUILDS_PER_CLIENT
    if limit <= 0:
        return
    client, window = _client_and_window(request)
    key = f"public:builds:{client}:{window}"
    if rate.count_one(key, seconds=BUILD_WINDOW_SECONDS + 1) > limit:
        _remember_refused(client, window)
        raise BuildRefused(429, _retry_after())


def build_within_budget(request, key, build, store):
    """``build()``'s value for a page missing from the cache under ``key``, made within the budget.

    Of identical misses one builds; the others wait up to BUILD_WAIT_SECONDS for its value.
    The builder spends one of its client's builds and takes one of this process's slots.
    ``store(value)`` caches the value. Raises BuildRefused.
    """
    if getattr(_building, "active", False):
        value = build()
        store(value)
        return value
    _refused_already(request)
    building = f"{key}:building"
    if not cache.add(building, 1, timeout=30):
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(BUILD_POLL_SECONDS)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        _client_spends_a_build(request)
        slots = _build_slots()
        if not slots.acquire(timeout=BUILD_WAIT_SECONDS):
            raise BuildRefused(503, 1)
        _building.active = True
        try:
            value = build()
            store(value)
            return value
        finally:
            _building.active = False
            slots.release()
    finally:
        cache.delete(building)


class BuildBudgetMiddleware:
    """Answers a refused build: 429 or 503 with Retry-After, a short text, never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, BuildRefused):
            return None
        from django.utils.translation import gettext

        if exception.status == 429:
            text = gettext("Too many different pages asked for at once from your address; try again in a minute.")
        else:
            text = gettext("The site is busy; try again in a moment.")
        response = HttpResponse(text, status=exception.status, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(exception.retry_after)
        response["Cache-Control"] = "no-store"
        return response


def cached(scope, request, build, kind="page"):
    """``build()``'s value for this request, from the cache when there, else built within the budget.

    The value must be picklable; HTML in it is kept as text, so mark it safe
    again where it is read (see :func:`html`).
    """
    key = page_key(scope, request, kind)
    value = cache.get(key)
    if value is None:
        value = build_within_budget(
            request, key, build, lambda value: cache.set(key, value, settings.OBSERVER_PUBLIC_CACHE_SECONDS)
        )
    return value


def is_plain_visitor(request):
    """Whether ``request`` comes with no session and no message waiting: an anonymous visitor
    whose whole page (layout included) is the same as every other's in the same language."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


#: bytes of whole pages this process keeps in its own memory, the most recently used (each also
#: in the cache): about 2,000 incident pages
PAGES_KEPT_BYTES = 32 * 1024 * 1024
#: {key: (monotonic time stored, (status, content type, body, gzipped body or None))}, most recently used last
_pages = OrderedDict()
_pages_bytes = 0
_pages_lock = threading.Lock()


def _kept_page(key):
    with _pages_lock:
        entry = _pages.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > settings.OBSERVER_PUBLIC_CACHE_SECONDS:
            _drop_page(key)
            return None
        _pages.move_to_end(key)
        return entry[1]


def _drop_page(key):
    global _pages_bytes
    _stored_at, stored = _pages.pop(key)
    _pages_bytes -= _stored_bytes(stored)


def _keep_page(key, stored):
    global _pages_bytes
    with _pages_lock:
        if key in _pages:
            _drop_page(key)
        _pages[key] = (time.monotonic(), stored)
        _pages_bytes += _stored_bytes(stored)
        while _pages_bytes > PAGES_KEPT_BYTES and _pages:
            _drop_page(next(iter(_pages)))


def forget_kept():
    """Empty this process's copies (generations, reference data, pages); the shared cache is untouched."""
    global _pages_bytes
    _kept.clear()
    _reference_kept.clear()
    with _pages_lock:
        _pages.clear()
        _pages_bytes = 0


#: bodies shorter than this are sent as they are, as Django's GZipMiddleware does (gzip's own
#: header would outweigh the saving)
GZIP_MIN_BYTES = 200


def _stored_parts(stored):
    """``(status, content type, body, gzipped body or None)`` of a kept page, one kept before pages
    were kept gzipped too (``(status, content type, body)``, still in the cache after an upgrade)
    included."""
    return (*stored, None)[:4]


def _stored_bytes(stored):
    _status, _content_type, content, gzipped = _stored_parts(stored)
    return len(content) + len(gzipped or b"")


def stored_answer(response):
    """What the cache keeps of a whole page: ``(status, content type, body, gzipped body or None)``.

    Compressed once here, as Django's GZipMiddleware compresses (level 6, no time in the header:
    the same page gives the same bytes), and kept only where it is smaller."""
    content = response.content
    gzipped = compress_string(content) if len(content) >= GZIP_MIN_BYTES else None
    return (
        response.status_code,
        response["Content-Type"],
        content,
        gzipped if gzipped and len(gzipped) < len(content) else None,
    )


def answer_from_stored(request, stored):
    """The response for a page kept as ``stored_answer`` keeps it: gzipped when the browser accepts it."""
    status, content_type, content, gzipped = _stored_parts(stored)
    if gzipped and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(gzipped, status=status, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(content, status=status, content_type=content_type)
    # Whether it was compressed depends on the request's Accept-Encoding: caches in between keep both apart.
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cached_response(scope, request, respond):
    """``respond()``'s answer for this request, from the cache when there (status, type and body,
    gzipped too: ``stored_answer``).

    The most used pages are also kept in this process's memory, under the
    same key: a change gives them a new key, like the cache's.
    """
    if settings.OBSERVER_PUBLIC_CACHE_SECONDS <= 0:
        return respond()
    key = page_key(scope, request, "response")
    stored = _kept_page(key)
    if stored is None:
        stored = cache.get(key)
        if stored is None:
            stored = build_within_budget(
                request,
                key,
                lambda: stored_answer(respond()),
                lambda stored: cache.set(key, stored, settings.OBSERVER_PUBLIC_CACHE_SECONDS),
            )
        _keep_page(key, stored)
    return answer_from_stored(request, stored)


def html(text):
    """Cached HTML, rendered by our templates, as safe markup."""
    return mark_safe(text)


def on_incident_changed(sender, incident, action, **kwargs):
    # A duplicate adds a corroborating report to the page of the incident it duplicates.
    if incident.status in PUBLIC_STATUSES or action in PUBLIC_ACTIONS or incident.duplicate_of_id:
        clear(LISTS)


def on_reference_data_changed(sender, **kwargs):
    clear_on_commit(REFERENCE)


def on_bulk_write(sender, **kwargs):
    # Imports write in bulk (no model signals) and may touch anything shown: clear everything.
    clear(REFERENCE, LISTS)


def on_attachment_changed(sender, instance, **kwargs):
    status = Incident.objects.filter(pk=instance.incident_id).values_list("status", flat=True).first()
    if status in PUBLIC_STATUSES:
        clear_on_commit(LISTS)


def on_counting_changed(sender, instance=None, created=False, **kwargs):
    # A copy just filed counts for nothing yet; any later change (verified, asked, in conflict,
    # settled) may move the PVT estimate on the overview, the region pages and the PVT page.
    if not (sender is ProtocolCopy and created):
        clear(LISTS)


def connect():
    incident_changed.connect(on_incident_changed, dispatch_uid="public_cache_incident_changed")
    reference_data_changed.connect(on_bulk_write, dispatch_uid="public_cache_bulk_write")
    for model in REFERENCE_MODELS:
        post_save.connect(on_reference_data_changed, sender=model, dispatch_uid=f"public_cache_{model.__name__}_saved")
        post_delete.connect(
            on_reference_data_changed, sender=model, dispatch_uid=f"public_cache_{model.__name__}_deleted"
        )
    for model in (ProtocolCopy, ProtocolLine, PvtSample):
        post_save.connect(on_counting_changed, sender=model, dispatch_uid=f"public_cache_{model.__name__}_saved")
        post_delete.connect(on_counting_changed, sender=model, dispatch_uid=f"public_cache_{model.__name__}_deleted")
    post_save.connect(on_attachment_changed, sender=Attachment, dispatch_uid="public_cache_attachment_saved")
    post_delete.connect(on_attachment_changed, sender=Attachment, dispatch_uid="public_cache_attachment_deleted")
