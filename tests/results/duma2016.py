"""Russia's 2016 State Duma station results (../shared/data/ru-duma-2016-stations.csv.zip, see its README):
read once, for the PVT coverage test and bench/pvt.py."""

import csv
import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "ru-duma-2016-stations.csv.zip"
VALID_COLUMN = "Число действительных избирательных бюллетеней"
LEADING_PARTY = "ЕДИНАЯ РОССИЯ"


def data_file():
    """The file in ``shared/data`` beside the repository (or beside a folder holding it), else None."""
    for folder in Path(__file__).resolve().parents[2].parents:
        candidate = folder / "shared" / "data" / FILE_NAME
        if candidate.exists():
            return candidate
    return None


@dataclass(frozen=True)
class Station:
    number: str  # region | territorial commission | station: unique together (README)
    region: str
    leading_votes: int
    valid_votes: int


@functools.cache
def stations():
    with zipfile.ZipFile(data_file()) as archive, archive.open(archive.namelist()[0]) as raw:
        rows = csv.reader(io.TextIOWrapper(raw, "utf-8"))
        header = next(rows)
        valid = header.index(VALID_COLUMN)
        (leading,) = [index for index, name in enumerate(header) if LEADING_PARTY in name]
        return tuple(Station(f"{row[0]}|{row[2]}|{row[3]}", row[0], int(row[leading]), int(row[valid])) for row in rows)


def coverage(*, draws, size, seed_prefix="coverage"):
    """How many of ``draws`` samples' 95% intervals of the leading party's share hold its true share."""
    from incidents.results import pvt

    everything = stations()
    true_share = sum(s.leading_votes for s in everything) / sum(s.valid_votes for s in everything)
    by_number = {s.number: s for s in everything}
    strata = [(s.number, s.region) for s in everything]
    sizes = {}
    for s in everything:
        sizes[s.region] = sizes.get(s.region, 0) + 1
    hits = 0
    for draw in range(draws):
        drawn = pvt.draw_sample(strata, size=size, seed=f"{seed_prefix}-{draw}")
        reports = [
            (region, by_number[n].leading_votes, by_number[n].valid_votes)
            for region, numbers in drawn.items()
            for n in numbers
        ]
        hits += pvt.ratio_estimate(reports, sizes).contains(true_share)
    return hits, true_share
