"""Files to import, written as a coordinator's spreadsheet program would."""

import csv

import openpyxl
import pytest

from incidents import imports
from incidents.models import ResultStage

from .. import factories


@pytest.fixture
def write_csv(tmp_path):
    """Write rows (the first is the header) to a CSV file; returns its path."""

    def write(rows, name="data.csv", delimiter=",", bom=False, encoding="utf-8"):
        path = tmp_path / name
        with path.open("w", encoding=("utf-8-sig" if bom else encoding), newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path):
    def write(rows, name="data.xlsx"):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


@pytest.fixture
def run(election):
    """Run an importer of ``kind`` on ``path``; returns the Report."""

    def run(kind, path, *, write=True, **options):
        importer_class = imports.IMPORTERS[kind]
        if importer_class.needs_election:
            options.setdefault("election", election)
        importer = importer_class(**options)
        return imports.run_import(importer, imports.open_table(path), write=write)

    return run


def refusals(report):
    return [(refusal.line, refusal.column) for refusal in report.refusals]


@pytest.fixture
def ballot(election):
    """Two parties on the ballot of the test election."""
    return [
        factories.PartyFactory(election=election, short_name="AMANAT", ballot_number=1),
        factories.PartyFactory(election=election, short_name="AKZHOL", ballot_number=2),
    ]


RESULT_HEADER = [
    "region",
    "station",
    "stage",
    "registered_voters",
    "ballots_cast",
    "valid_votes",
    "invalid_votes",
    "source",
    "votes:AMANAT",
    "votes:AKZHOL",
]


def result_row(region="", station="", stage=ResultStage.PRELIMINARY, counts=(1000, 600, 590, 10), votes=(400, 190)):
    return [region, station, stage, *counts, "Commission", *votes]
