"""Bad files are refused as a whole, with a clear message, before anything is written."""

import pytest

from incidents.imports import ImportFileError, open_table
from incidents.models import PollingStation

pytestmark = pytest.mark.django_db

HEADER = ["number", "region", "name"]


def rows_of(path):
    table = open_table(path)
    return table.header, [(row.line, row.cells) for row in table.rows()]


def test_csv_with_bom_and_semicolons(write_csv):
    path = write_csv([["Number", " Region ", "name"], ["75-001", "KZ-75", "Школа № 12"]], delimiter=";", bom=True)
    header, rows = rows_of(path)
    assert header == HEADER
    assert rows == [(2, {"number": "75-001", "region": "KZ-75", "name": "Школа № 12"})]


def test_csv_line_numbers_count_quoted_line_breaks_and_skip_blank_rows(write_csv):
    path = write_csv([HEADER, ["1", "KZ-75", "two\nlines"], ["", "", ""], ["2", "KZ-75", "x"]])
    _header, rows = rows_of(path)
    assert [line for line, _cells in rows] == [2, 5]


def test_xlsx_numbers_read_as_text(write_xlsx):
    path = write_xlsx([["number", "registered_voters", "latitude"], [101, 2000.0, 43.25]])
    _header, rows = rows_of(path)
    assert rows == [(2, {"number": "101", "registered_voters": "2000", "latitude": "43.25"})]


def test_exported_apostrophe_is_taken_off_and_formulas_are_flagged(write_csv):
    path = write_csv([["name", "phone"], ["'=not a formula", "+7 701 555 0101"], ['=HYPERLINK("x")', "+SUM(A1)"]])
    rows = list(open_table(path).rows())
    assert rows[0].cells == {"name": "=not a formula", "phone": "+7 701 555 0101"} and rows[0].formulas == []
    assert rows[1].formulas == ["name", "phone"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty"),
        (b"\n\n", "blank.csv", "The file is empty"),
        ("number;region\n1;Алматы\n".encode("cp1251"), "cp1251.csv", "not in UTF-8 (first unreadable text on line 2)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "Files of type .png cannot be imported"),
        (b"GIF89a\x00\x00", "image.csv", "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "old Excel file"),
        (b"number,region\n", "fake.xlsx", "not a spreadsheet"),
        (b"PK\x03\x04broken", "broken.xlsx", "cannot be read"),
        (b"number,,region\n1,,KZ-75\n", "gap.csv", "Column 2 has no name"),
        (b"number,number\n1,2\n", "twice.csv", "appears twice"),
    ],
)
def test_bad_files(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert message in error.value.message


def test_file_over_the_size_limit(tmp_path, settings):
    settings.OBSERVER_IMPORT_MAX_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(b"number,region\n" + b"1,KZ-75\n" * 200_000)
    with pytest.raises(ImportFileError, match="files up to 1 MB"):
        open_table(path)


def test_missing_required_columns_and_header_only_file_write_nothing(run, write_csv, region):
    with pytest.raises(ImportFileError, match="Required columns are missing: region"):
        run("stations", write_csv([["number", "name"], ["1", "School"]]))
    with pytest.raises(ImportFileError, match="no rows"):
        run("stations", write_csv([HEADER]))
    assert not PollingStation.objects.exists()


def test_a_malformed_csv_in_the_middle_writes_nothing(run, tmp_path, region, settings):
    path = tmp_path / "bad.csv"
    rows = "".join(f"{n},KZ-75,School\n" for n in range(1500))
    path.write_text(f'number,region,name\n{rows}1500,KZ-75,"unclosed\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match="malformed"):
        run("stations", path)
    assert not PollingStation.objects.exists()
