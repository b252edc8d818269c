"""Reading a table from a CSV or XLSX file, one row at a time.

Whatever the format, a table is a header of column names and rows of text
cells. CSV files are UTF-8 (with or without a byte order mark), separated by
commas or semicolons (sniffed from the header line). XLSX files are read with
openpyxl in read-only mode, first sheet only. Nothing is held in memory
whole: rows are streamed, so a file of any length costs the same memory.

Problems with the file as a whole raise ``ImportFileError`` with a message
for the coordinator; problems with one cell are left to the importer, which
refuses the row.
"""

import codecs
import csv
import datetime
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from ..tabular import FORMULA_STARTS

CSV_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary Excel (.xls)
CHUNK = 1 << 16


class ImportFileError(Exception):
    """The file cannot be imported at all; ``message`` says why, for the coordinator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One data row: its line in the file (the header is line 1) and its cells by column name."""

    line: int
    cells: dict[str, str]
    #: columns whose cell holds a spreadsheet formula
    formulas: list[str] = field(default_factory=list)
    #: text in cells beyond the last named column
    overflow: bool = False


def max_bytes():
    return settings.OBSERVER_IMPORT_MAX_MB * 1024 * 1024


def is_formula(text):
    """Whether a cell is a spreadsheet formula rather than a value.

    ``=`` and ``@`` always start a formula; ``+`` and ``-`` do unless a digit
    follows (phone numbers like +7 701 …, negative numbers).
    """
    if not text:
        return False
    if text[0] in "=@":
        return True
    return text[0] in "+-" and len(text) > 1 and not (text[1].isdigit() or text[1] in " .")


def cell_text(value):
    """A cell's value as text, the same whether it came from a CSV or a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def unescape(text):
    """Undo the apostrophe that exports put before text starting like a formula."""
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def normalize_header(name):
    """Column names are matched without case or surrounding spaces; ``votes:<party>`` keeps the party's case."""
    name = cell_text(name).replace("\ufeff", "").strip()
    prefix, colon, rest = name.partition(":")
    if colon:
        return f"{prefix.strip().lower()}:{rest.strip()}"
    return name.lower()


class Table:
    """A file opened for import. Use ``header`` and iterate ``rows()`` once."""

    format = ""

    def __init__(self, path, name):
        self.path = Path(path)
        self.name = name
        self.header = []
        #: a row count for progress bars (may be approximate)
        self.estimated_rows = None

    def rows(self):
        raise NotImplementedError

    def _set_header(self, raw):
        names = [normalize_header(value) for value in raw]
        while names and not names[-1]:
            names.pop()
        if not any(names):
            raise ImportFileError(_("The file is empty: the first line must name the columns."))
        if "" in names:
            position = names.index("") + 1
            raise ImportFileError(_("Column %(position)d has no name in the first line.") % {"position": position})
        seen = set()
        for name in names:
            if name in seen:
                raise ImportFileError(_("The column %(name)s appears twice in the first line.") % {"name": name})
            seen.add(name)
        self.header = names

    def _row(self, line, values):
        values = [cell_text(value) for value in values]
        if not any(values):
            return None
        overflow = any(values[len(self.header) :])
        cells, formulas = {}, []
        for name, text in zip(self.header, values, strict=False):
            if is_formula(text):
                formulas.append(name)
            cells[name] = unescape(text)
        for name in self.header[len(values) :]:
            cells[name] = ""
        return Row(line=line, cells=cells, formulas=formulas, overflow=overflow)


class CsvTable(Table):
    format = "csv"

    def __init__(self, path, name):
        super().__init__(path, name)
        self._check_encoding()
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            first_line = handle.readline()
        self.delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            self._set_header(next(csv.reader(handle, delimiter=self.delimiter), []))

    def _check_encoding(self):
        """Read the whole file once as UTF-8, so that a wrong encoding is found before any row is used."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 1
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    raise ImportFileError(_("This is not a CSV or XLSX file (it holds binary data)."))
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line = lines + chunk[: error.start].count(b"\n")
                    raise ImportFileError(
                        _(
                            "The file is not in UTF-8 (first unreadable text on line %(line)d). "
                            "Save it as “CSV UTF-8” or as XLSX and upload it again."
                        )
                        % {"line": line}
                    ) from error
                lines += chunk.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                raise ImportFileError(_("The file is not in UTF-8: it ends in the middle of a character.")) from error
        self.estimated_rows = max(lines - 1, 0)

    def rows(self):
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            try:
                next(reader)
                last_line = reader.line_num
                for values in reader:
                    row = self._row(last_line + 1, values)
                    last_line = reader.line_num
                    if row is not None:
                        yield row
            except csv.Error as error:
                raise ImportFileError(
                    _("The CSV file is malformed near line %(line)d: %(error)s")
                    % {"line": reader.line_num, "error": error}
                ) from error


class XlsxTable(Table):
    format = "xlsx"

    def __init__(self, path, name):
        super().__init__(path, name)
        import openpyxl

        try:
            self.workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
            raise ImportFileError(_("The spreadsheet cannot be read; save it again as XLSX.")) from error
        if not self.workbook.worksheets:
            raise ImportFileError(_("The spreadsheet has no sheet."))
        self.sheet = self.workbook.worksheets[0]
        first = next(self.sheet.iter_rows(max_row=1, values_only=True), ())
        self._set_header(first)
        if self.sheet.max_row:
            self.estimated_rows = max(self.sheet.max_row - 1, 0)

    def rows(self):
        try:
            for line, values in enumerate(self.sheet.iter_rows(min_row=2, values_only=True), start=2):
                row = self._row(line, values)
                if row is not None:
                    yield row
        finally:
            self.workbook.close()


def open_table(path, name=None):
    """Open ``path`` as a CSV or XLSX table, or raise ImportFileError.

    ``name`` is the file's name as the coordinator knows it (an uploaded
    file is kept under another name); its extension and the file's first
    bytes decide the format.
    """
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportFileError(_("The file %(name)s cannot be opened.") % {"name": name}) from error
    check_size(size)
    with path.open("rb") as handle:
        start = handle.read(8)
    extension = Path(name).suffix.lower()
    if start.startswith(OLE_MAGIC) or extension == ".xls":
        raise ImportFileError(_("This is an old Excel file (.xls). Save it as XLSX or CSV UTF-8 and upload it again."))
    if start.startswith(ZIP_MAGIC):
        if extension and extension not in XLSX_EXTENSIONS:
            raise ImportFileError(_("This is not a CSV or XLSX file."))
        return XlsxTable(path, name)
    if extension in XLSX_EXTENSIONS:
        raise ImportFileError(_("The file is named .xlsx but is not a spreadsheet; save it again as XLSX."))
    if extension and extension not in CSV_EXTENSIONS:
        raise ImportFileError(
            _("Files of type %(extension)s cannot be imported: use CSV or XLSX.") % {"extension": extension}
        )
    return CsvTable(path, name)


def check_size(size):
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > max_bytes():
        raise ImportFileError(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it and import the parts.")
            % {"size": round(size / 1024 / 1024, 1), "limit": settings.OBSERVER_IMPORT_MAX_MB}
        )
