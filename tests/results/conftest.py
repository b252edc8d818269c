"""Station results for the forensics tests, made through the real import."""

import csv
import io

import pytest

from incidents.results.station_import import MAPPINGS, import_station_results

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
