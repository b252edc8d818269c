"""Example elections with real station-level results, set up by ``manage.py load_example <name>``.

The files are not in the repository: ``load_example`` looks for them in a
``shared/data`` folder beside the repository (or beside any folder above it),
or takes ``--path``. docs/forensics.md says where each file comes from.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ..models import Election, ElectionKind, PollingStation
from .station_import import MAPPINGS, import_station_results


@dataclass(frozen=True)
class Example:
    file_name: str
    mapping: str
    source: str
    source_url: str
    election: dict


EXAMPLES = {
    "ru-duma-2016": Example(
        file_name="ru-duma-2016-stations.csv.zip",
        mapping="ru-cec",
        source=(
            "Central Election Commission of the Russian Federation (izbirkom.ru), as collected by Sergey Shpilkin "
            "and published by Kobak, Shpilkin and Pshenichnikov (github.com/dkobak/elections, data/2016.csv.zip)"
        ),
        source_url="https://github.com/dkobak/elections",
        election={
            "slug": "ru-duma-2016",
            "kind": ElectionKind.PARLIAMENTARY,
            "country": "RU",
            "election_day": datetime.date(2016, 9, 18),
            "time_zone": "Europe/Moscow",
            "reference_prefix": "RU16",
            "seats_total": 450,
            "threshold_percent": 5,
            "name_en": "Russia: State Duma election of 18 September 2016 (party list)",
            "name_ru": "Выборы в Государственную думу России 18 сентября 2016 года (партийные списки)",
            "name_kk": "Ресей: 2016 жылғы 18 қыркүйектегі Мемлекеттік Дума сайлауы (партиялық тізімдер)",
        },
    ),
}


def find_file(file_name):
    """``shared/data/<file_name>`` beside the repository or beside a folder above it, else None."""
    base = Path(settings.BASE_DIR).resolve()
    for folder in [base, *base.parents]:
        candidate = folder.parent / "shared" / "data" / file_name
        if candidate.is_file():
            return candidate
    return None


def load_example(name, *, path=None, progress=None):
    """Create the example election and import its stations; ``(election, report or None if loaded already)``.

    One transaction: a refused file leaves no election behind.
    """
    example = EXAMPLES[name]
    path = Path(path) if path else find_file(example.file_name)
    if path is None:
        raise FileNotFoundError(example.file_name)
    election = Election.objects.filter(slug=example.election["slug"]).first()
    if election is not None and PollingStation.objects.filter(election=election).exists():
        return election, None
    with transaction.atomic():
        if election is None:
            election = Election(**example.election)
            election.full_clean()
            election.save()
        report = import_station_results(
            path,
            election=election,
            mapping=MAPPINGS[example.mapping],
            source=example.source,
            progress=progress,
            name=example.file_name,
        )
        if not report.written:
            transaction.set_rollback(True)
    return election, report
