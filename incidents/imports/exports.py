"""Exports and templates: the importers' columns written as CSV or XLSX.

CSV goes through ``tabular.csv_lines`` and XLSX cells through
``tabular.safe_cell``, so that no exported cell runs as a formula; the
reader takes the protecting apostrophe off again, so an exported file
imports back unchanged.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import tabular
from ..tabular import csv_lines, safe_cell

EXPORT_FORMATS = ("csv", "xlsx")


def xlsx_cell(value):
    """A value for a spreadsheet cell: numbers as numbers, text as safe text."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def export_filename(importer, fmt, *, template=False):
    """``<kind>-<election>-<date or "template">.<fmt>``."""
    election = importer.election.slug if importer.election is not None else ""
    stamp = "template" if template else timezone.localdate().isoformat()
    return tabular.export_filename(importer.kind, election, stamp, extension=fmt)


def write_export(importer, fmt, out):
    """Write every row of the importer's kind to the binary file ``out``."""
    write_table(importer.header_columns(), importer.export_rows(), fmt, out)


def write_template(importer, fmt, out):
    """Write an empty file with the kind's columns; an XLSX template explains each on a second sheet."""
    if fmt == "csv":
        write_table(importer.header_columns(), [], fmt, out)
        return
    help_rows = [
        [column.name, _("required") if column.required else _("optional"), str(column.help), column.example]
        for column in importer.columns
    ]
    if importer.kind == "results":
        help_rows.append(
            [
                "votes:<short name>",
                _("optional"),
                _("Votes of the party with this short name; one column per party."),
                "",
            ]
        )
    write_table(
        importer.header_columns(),
        [],
        fmt,
        out,
        help_sheet=([_("column"), _("required"), _("meaning"), _("example")], help_rows),
    )


def write_table(header, rows, fmt, out, *, help_sheet=None):
    if fmt == "csv":
        for line in csv_lines(header, rows):
            out.write(line.encode("utf-8"))
        return
    if fmt != "xlsx":
        raise ValueError(f"Unknown export format {fmt!r}.")
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("data"))
    sheet.append([xlsx_cell(name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    if help_sheet is not None:
        columns = workbook.create_sheet(_("columns"))
        help_header, help_rows = help_sheet
        columns.append([xlsx_cell(value) for value in help_header])
        for row in help_rows:
            columns.append([xlsx_cell(value) for value in row])
    workbook.save(out)
