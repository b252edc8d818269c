"""Pure helpers for a blockage's networks, window and outage signals (no database, no network).

``asns_named`` reads the networks a report names ("Kazakhtelecom (AS9198)");
``measurement_window`` is the stretch of time its measurements are looked for in;
``outage_links`` builds plain links to the public outage dashboards of IODA
(Georgia Tech's Internet Outage Detection and Analysis) and Cloudflare Radar
for a country and networks. The links are only built here, never fetched.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

IODA_URL = "https://ioda.inetintel.cc.gatech.edu"
RADAR_URL = "https://radar.cloudflare.com"

# "AS9198", "as 9198", "ASN 9198", "ASN: 9198"; 32-bit numbers only.
_ASN = re.compile(r"\bASN?\s*:?\s*(\d{1,10})\b", re.IGNORECASE)


def asns_named(text):
    """The autonomous system numbers named in ``text``, in order, each once.

    >>> asns_named("Kazakhtelecom (AS9198), Beeline AS 21299; as9198")
    [9198, 21299]
    """
    found = []
    for match in _ASN.finditer(text or ""):
        number = int(match.group(1))
        if 0 < number < 2**32 and number not in found:
            found.append(number)
    return found


def measurement_window(*, start, end, occurred_at, now, margin):
    """``(since, until)``: from the blockage's start (or, without one, when it was reported
    to have happened) to its end (or ``now`` while it goes on), widened by ``margin`` each side.

    A start after the end (possible only with bad data) is read as a window of the start alone.
    """
    since = start or occurred_at
    until = end or max(now, since)
    until = max(until, since)
    return since - margin, until + margin


@dataclass(frozen=True)
class OutageLink:
    source: str
    label: str
    url: str


def _unix(moment):
    return int(moment.astimezone(datetime.UTC).timestamp())


def outage_links(*, country, asns=(), since=None, until=None):
    """Links to IODA's and Cloudflare Radar's pages of ``country`` and of each network in ``asns``.

    IODA's pages take the window as Unix times (``from``, ``until``); Radar's
    country and network pages are linked as they are (they open on recent days).

    >>> [link.url for link in outage_links(country="KZ", asns=[9198])][1]
    'https://radar.cloudflare.com/kz'
    """
    window = ""
    if since is not None and until is not None:
        window = "?" + urlencode({"from": _unix(since), "until": _unix(until)})
    code = country.upper()
    links = [
        OutageLink("IODA", f"IODA · {code}", f"{IODA_URL}/country/{code}{window}"),
        OutageLink("Cloudflare Radar", f"Cloudflare Radar · {code}", f"{RADAR_URL}/{code.lower()}"),
    ]
    for asn in asns:
        links.append(OutageLink("IODA", f"IODA · AS{asn}", f"{IODA_URL}/asn/{asn}{window}"))
        links.append(OutageLink("Cloudflare Radar", f"Cloudflare Radar · AS{asn}", f"{RADAR_URL}/as{asn}"))
    return links
