"""Exports write the importers' columns; a file goes round trip export -> import -> no change."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from incidents import imports
from incidents.models import OfficialResult, PartyResult

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def election_data(election, region, polling_station, ballot):
    """One of each kind, with awkward values: Cyrillic, negative coordinates, formula-like text."""
    factories.RegionFactory(code="KZ-75-01", parent=region, level="district", longitude=Decimal("-70.500000"))
    polling_station.name = "=1+1 school"
    polling_station.save()
    organization = factories.OrganizationFactory(name="Сеть наблюдателей", website="https://example.org")
    observer = factories.ObserverFactory(organization=organization, phone="+7 701 555 0101", user__first_name="-Ali")
    observer.assigned_stations.add(polling_station)
    regional = factories.OfficialResultFactory(
        election=election, region=region, registered_voters=None, ballots_cast=None, valid_votes=590
    )
    regional.turnout_percent = Decimal("63.25")
    regional.save()
    factories.PartyResultFactory(result=regional, party=ballot[0], votes=400)
    factories.PartyResultFactory(result=regional, party=ballot[1], votes=190)
    station_result = factories.OfficialResultFactory(
        election=election, region=None, polling_station=polling_station, valid_votes=None
    )
    factories.PartyResultFactory(result=station_result, party=ballot[0], votes=10)
    return election


@pytest.mark.parametrize("fmt", imports.EXPORT_FORMATS)
@pytest.mark.parametrize("kind", list(imports.IMPORTERS))
def test_round_trip_changes_nothing(election_data, tmp_path, kind, fmt):
    importer_class = imports.IMPORTERS[kind]
    importer = importer_class(election=election_data)
    path = tmp_path / imports.export_filename(importer, fmt)
    with path.open("wb") as out:
        imports.write_export(importer, fmt, out)
    report = imports.run_import(importer_class(election=election_data), imports.open_table(path), write=True)
    assert report.refusals == []
    assert (report.created, report.updated, report.refused) == (0, 0, 0)
    assert report.unchanged > 0


def test_exported_csv_cannot_carry_a_formula(election_data, tmp_path):
    importer = imports.IMPORTERS["stations"](election=election_data)
    out = io.BytesIO()
    imports.write_export(importer, "csv", out)
    text = out.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == importer.header_columns()
    assert "'=1+1 school" in rows[1]


def test_exported_xlsx_keeps_numbers_and_neutralises_formulas(election_data, tmp_path):
    importer = imports.IMPORTERS["observers"](election=election_data)
    path = tmp_path / "observers.xlsx"
    with path.open("wb") as out:
        imports.write_export(importer, "xlsx", out)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][3] == "'-Ali" and rows[1][7] == "'+77015550101" and rows[1][8] == "75-001"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", imports.EXPORT_FORMATS)
def test_templates_have_the_columns_and_import_as_empty(election, ballot, tmp_path, fmt):
    importer = imports.IMPORTERS["results"](election=election)
    path = tmp_path / f"template.{fmt}"
    with path.open("wb") as out:
        imports.write_template(importer, fmt, out)
    table = imports.open_table(path)
    assert table.header[-2:] == ["votes:AMANAT", "votes:AKZHOL"]
    with pytest.raises(imports.ImportFileError, match="no rows"):
        imports.run_import(importer, table, write=True)


def test_results_export_is_one_row_per_result(election_data):
    rows = list(imports.IMPORTERS["results"](election=election_data).export_rows())
    assert len(rows) == OfficialResult.objects.exclude(region=None, polling_station=None).count() == 2
    assert PartyResult.objects.count() == 3
