"""OONI measurements: read from a saved answer of OONI's public API, or fetched from it by a command.

The file is what ``GET https://api.ooni.io/api/v1/measurements?probe_cc=KZ&since=…&until=…``
answers (JSON: ``{"metadata": {...}, "results": [...]}``). Each result gives
``measurement_uid``, ``report_id``, ``test_name``, ``probe_cc``, ``probe_asn``
("AS9198", or the number), ``input``, ``measurement_start_time`` (ISO 8601, UTC),
``anomaly``, ``confirmed``, ``failure`` and, in newer answers, ``probe_network_name``.

The whole file is checked before anything is written: one bad result refuses
the file, with its position and reason, and nothing is stored. A measurement
already stored (same ``measurement_uid``) is counted and left as it is, so
importing the same file twice adds nothing.

``fetch_measurements`` asks the API itself, page after page (``metadata.next_url``).
It runs only when ``OBSERVER_OONI_API_URL`` is set, from ``manage.py fetch_ooni``
or its Celery task, never while answering a request.
"""

import datetime
import json
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..models import OoniMeasurement

#: results stored per INSERT
BATCH_SIZE = 1000
#: pages asked of the API at most in one fetch (each of ``FETCH_PAGE_SIZE`` results)
FETCH_MAX_PAGES = 50
FETCH_PAGE_SIZE = 1000
FETCH_TIMEOUT_SECONDS = 60
#: the largest answer read from the API, per page
FETCH_MAX_BYTES = 20 * 1024 * 1024

_ASN = re.compile(r"^(?:AS)?(\d{1,10})$", re.IGNORECASE)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class OoniFileError(ValueError):
    """The file is not an OONI measurements answer; nothing was written. ``str()`` says why."""


class OoniFetchDisabled(RuntimeError):
    """``OBSERVER_OONI_API_URL`` is empty: this site does not ask OONI's API."""


@dataclass
class OoniImport:
    """What an import did: measurements added, already there, and the countries and times seen."""

    created: int = 0
    existing: int = 0
    countries: set = field(default_factory=set)
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None

    @property
    def total(self):
        return self.created + self.existing


def _flag(result, name, position):
    value = result.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise OoniFileError(_("Result %(n)d: “%(name)s” is not true or false.") % {"n": position, "name": name})
    return value


def _text(result, name, position, *, required=False, limit=200):
    value = result.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise OoniFileError(_("Result %(n)d: “%(name)s” is not a text.") % {"n": position, "name": name})
    value = value.strip()
    if required and not value:
        raise OoniFileError(_("Result %(n)d has no “%(name)s”.") % {"n": position, "name": name})
    if len(value) > limit:
        raise OoniFileError(_("Result %(n)d: “%(name)s” is too long.") % {"n": position, "name": name})
    return value


def parse_result(result, position):
    """One result of the answer as the fields of an ``OoniMeasurement``; raises ``OoniFileError``."""
    if not isinstance(result, dict):
        raise OoniFileError(_("Result %(n)d is not an object.") % {"n": position})
    uid = _text(result, "measurement_uid", position, required=True, limit=100)
    country = _text(result, "probe_cc", position, required=True).upper()
    if not _COUNTRY.match(country):
        raise OoniFileError(_("Result %(n)d: “probe_cc” is not a country code.") % {"n": position})
    asn = result.get("probe_asn")
    match = _ASN.match(str(asn).strip()) if isinstance(asn, (str, int)) and not isinstance(asn, bool) else None
    if match is None:
        raise OoniFileError(_("Result %(n)d: “probe_asn” is not a network number.") % {"n": position})
    started = _text(result, "measurement_start_time", position, required=True)
    moment = parse_datetime(started.replace(" ", "T"))
    if moment is None:
        raise OoniFileError(_("Result %(n)d: “measurement_start_time” is not a time.") % {"n": position})
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)  # OONI's times are UTC
    return {
        "measurement_uid": uid,
        "report_id": _text(result, "report_id", position),
        "test_name": _text(result, "test_name", position, required=True, limit=64),
        "probe_cc": country,
        "probe_asn": int(match.group(1)),
        "probe_network_name": _text(result, "probe_network_name", position),
        "input": _text(result, "input", position, limit=2000),
        "measurement_start_time": moment,
        "anomaly": _flag(result, "anomaly", position),
        "confirmed": _flag(result, "confirmed", position),
        "failure": _flag(result, "failure", position),
    }


def parse_answer(content):
    """The results of one saved answer (bytes or text), each checked; raises ``OoniFileError``."""
    try:
        answer = json.loads(content)
    except (UnicodeDecodeError, ValueError) as error:
        raise OoniFileError(_("The file is not JSON: %(error)s") % {"error": error}) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise OoniFileError(
            _("The file is not an answer of OONI's measurements list: it has no “results” list.")
        ) from None
    return [parse_result(result, position) for position, result in enumerate(answer["results"], start=1)]


def store(rows):
    """Store the parsed ``rows`` (from ``parse_answer``) that are not stored yet, in one transaction."""
    outcome = OoniImport()
    by_uid = {}
    for row in rows:
        by_uid.setdefault(row["measurement_uid"], row)
    for row in by_uid.values():
        outcome.countries.add(row["probe_cc"])
        moment = row["measurement_start_time"]
        outcome.first = moment if outcome.first is None else min(outcome.first, moment)
        outcome.last = moment if outcome.last is None else max(outcome.last, moment)
    uids = list(by_uid)
    with transaction.atomic():
        stored = set()
        for start in range(0, len(uids), BATCH_SIZE):
            chunk = uids[start : start + BATCH_SIZE]
            stored.update(
                OoniMeasurement.objects.filter(measurement_uid__in=chunk).values_list("measurement_uid", flat=True)
            )
        new = [OoniMeasurement(**row) for uid, row in by_uid.items() if uid not in stored]
        # ignore_conflicts: an import racing this one may store the same measurement first.
        OoniMeasurement.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    outcome.created = len(new)
    outcome.existing = len(uids) - len(new)
    return outcome


def import_answer(content):
    """Check the whole saved answer, then store what is new. All or nothing."""
    return store(parse_answer(content))


# Fetching from the API (outside the request path) -----------------------------------------------------------------


def measurements_query(*, country, since, until, limit=FETCH_PAGE_SIZE):
    """The query string of the measurements list for ``country`` between ``since`` and ``until`` (dates)."""
    return urllib.parse.urlencode(
        {"probe_cc": country.upper(), "since": since.isoformat(), "until": until.isoformat(), "limit": limit}
    )


def _get(url):
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "Observer"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        content = response.read(FETCH_MAX_BYTES + 1)
    if len(content) > FETCH_MAX_BYTES:
        raise OoniFileError(_("OONI's answer is larger than this site reads."))
    return content


def fetch_measurements(*, country, since, until, api_url=None):
    """Ask OONI's API for ``country``'s measurements from ``since`` to ``until`` and store the new ones.

    Every page is read and checked before anything is written. Raises
    ``OoniFetchDisabled`` when no API address is set, ``OoniFileError`` for an
    answer that is not a measurements list, ``OSError`` when the API cannot be reached.
    """
    base = (settings.OBSERVER_OONI_API_URL if api_url is None else api_url).rstrip("/")
    if not base:
        raise OoniFetchDisabled(_("OONI's API is not enabled on this site (OBSERVER_OONI_API_URL is empty)."))
    url = f"{base}/api/v1/measurements?{measurements_query(country=country, since=since, until=until)}"
    rows = []
    for _page in range(FETCH_MAX_PAGES):
        content = _get(url)
        rows += parse_answer(content)
        next_url = (json.loads(content).get("metadata") or {}).get("next_url")
        if not next_url:
            break
        if not next_url.startswith(base + "/"):
            raise OoniFileError(_("OONI's answer points to another host for its next page."))
        url = next_url
    return store(rows)


@shared_task(name="incidents.fetch_ooni")
def fetch_ooni_task(country, since, until):
    """Celery task: ``fetch_measurements`` for ``country`` between two ISO dates; returns the counts."""
    outcome = fetch_measurements(
        country=country, since=datetime.date.fromisoformat(since), until=datetime.date.fromisoformat(until)
    )
    return {"created": outcome.created, "existing": outcome.existing}
