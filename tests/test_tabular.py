import csv
import io
from decimal import Decimal

from incidents.tabular import csv_lines, safe_cell


def test_formulas_are_neutralised():
    assert safe_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert safe_cell("+7 701 555") == "'+7 701 555"
    assert safe_cell("-1+1") == "'-1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Almaty") == "Almaty"
    assert safe_cell(-5) == -5 and safe_cell(None) == "" and safe_cell(True) == "true"
    # Decimal numbers (coordinates, percentages) stay numbers, even when negative.
    assert safe_cell(Decimal("-70.500000")) == Decimal("-70.500000")


def test_csv_lines_round_trip_with_bom():
    text = "".join(csv_lines(["region", "note"], [["Алматы", 'a, "quoted" note'], ["KZ-75", "=1+1"]]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["region", "note"], ["Алматы", 'a, "quoted" note'], ["KZ-75", "'=1+1"]]
