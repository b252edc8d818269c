"""Fixtures of the counting tests: station results made through the real import (forensics), and
elections with protocol lines, parties and copies (protocol copies and the PVT)."""

import csv
import datetime
import io

import pytest

from incidents import services
from incidents.models import LineRole, ProtocolLine
from incidents.results.station_import import MAPPINGS, import_station_results
from tests import factories

RU = MAPPINGS["ru-cec"]
HEADER = [
    "region",
    "oik",
    "tik",
    "uik",
    RU.registered_voters,
    RU.ballots_cast[0],
    RU.ballots_cast[1],
    RU.invalid_votes,
    RU.valid_votes,
    '1. Политическая партия "Первая"',
    "2. Всероссийская политическая партия ВТОРАЯ",
    "url",
]


def station_csv(rows):
    """A commission-style CSV: each row (region, tik, uik, registered, portable, stationary, invalid, first, second)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for region, tik, uik, registered, portable, stationary, invalid, first, second in rows:
        writer.writerow(
            [
                region,
                f"1 {region} - округ",
                tik,
                uik,
                registered,
                portable,
                stationary,
                invalid,
                first + second,
                first,
                second,
                f"http://www.vybory.izbirkom.ru/station?uik={uik}",
            ]
        )
    return out.getvalue()


@pytest.fixture
def import_stations(tmp_path):
    """Import ``rows`` (see ``station_csv``) into ``election``; returns the report."""

    def run(election, rows, **options):
        path = tmp_path / "stations.csv"
        path.write_text(station_csv(rows), encoding="utf-8")
        return import_station_results(path, election=election, mapping=RU, source="Test commission", **options)

    return run


def generated_rows(count, *, region="Тестовая область", seed=0):
    """``count`` plausible stations (deterministic)."""
    rows = []
    for index in range(count):
        registered = 800 + (index * 37 + seed) % 1500
        ballots = registered * (40 + (index * 13) % 45) // 100
        invalid = ballots // 50
        first = (ballots - invalid) * (30 + (index * 7) % 50) // 100
        second = ballots - invalid - first
        rows.append(
            (
                region,
                f"{1 + index % 3} Тестовая",
                str(index + 1),
                registered,
                ballots // 10,
                ballots - ballots // 10,
                invalid,
                first,
                second,
            )
        )
    return rows


#: the lines of a protocol like Kazakhstan's (codes are data of the election)
LINES = [
    ("registered", LineRole.REGISTERED, "Voters on the list"),
    ("received", LineRole.RECEIVED, "Ballots received"),
    ("issued", LineRole.ISSUED, "Ballots issued"),
    ("cast", LineRole.CAST, "Ballots in the boxes"),
    ("invalid", LineRole.INVALID, "Invalid ballots"),
    ("valid", LineRole.VALID, "Valid ballots"),
    ("cancelled", LineRole.OTHER, "Unused ballots cancelled"),
]


def add_protocol_lines(election):
    for position, (code, role, name) in enumerate(LINES, start=1):
        ProtocolLine.objects.create(election=election, code=code, role=role, position=position, name_en=name)


@pytest.fixture
def counted_election(election):
    add_protocol_lines(election)
    election.test_parties = [
        factories.PartyFactory(election=election, short_name=name, ballot_number=number)
        for number, name in enumerate(["Nur Otan", "Ak Zhol", "QHP"], start=1)
    ]
    return election


@pytest.fixture
def good_figures(counted_election):
    """A copy that adds up: 600 + 250 + 100 votes + 50 invalid = 1000 cast ≤ 1010 issued ≤ 1200 received."""
    parties = counted_election.test_parties
    lines = {"registered": 1500, "received": 1200, "issued": 1010, "cast": 1000, "invalid": 50, "valid": 950}
    lines["cancelled"] = 190
    votes = {str(parties[0].pk): 600, str(parties[1].pk): 250, str(parties[2].pk): 100}
    return lines, votes


@pytest.fixture
def file_copy(counted_election, good_figures):
    def file_copy(*, station, observer, lines=None, party_votes=None, **extra):
        return services.protocol_copy_file(
            observer=observer,
            polling_station=station,
            copied_at=datetime.datetime(2021, 1, 10, 22, 30, tzinfo=datetime.UTC),
            lines=lines or good_figures[0],
            party_votes=party_votes or good_figures[1],
            **extra,
        )

    return file_copy
