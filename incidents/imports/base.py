"""What every importer shares: columns, the row parser, the report and the run.

An importer reads a table row by row. Each row is first checked on its own
(``parse``: types, required cells, allowed values), then in batches against
the database (``flush``: natural keys, references, what exists already). A
row with any problem is refused with its line, column and reason; the other
rows are counted as created, updated or unchanged.

``run_import`` does all of it inside one transaction. It writes only when
asked to and only when no row is refused; otherwise it rolls everything
back, so that a dry run and a refused import leave the database as it was.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils.translation import gettext as _

from ..signals import reference_data_changed
from .reader import ImportFileError

#: rows read and inserted per database statement
BATCH_SIZE = 1000
#: rows per UPDATE where bulk_update is used (its CASE per field costs the square of this)
UPDATE_BATCH_SIZE = 100
#: refused rows listed in a report (all are counted)
MAX_LISTED_REFUSALS = 1000
#: spaces used as thousands separators by spreadsheets in various locales
THOUSANDS_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


@dataclass(frozen=True)
class Column:
    """One column of an import file, as documented and written in templates."""

    name: str
    required: bool
    help: str
    example: str = ""


@dataclass(frozen=True)
class Refusal:
    line: int
    column: str
    reason: str


@dataclass
class Report:
    """What an import did, or would do: counts, and each refused row's problems."""

    kind: str
    file_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def rows(self):
        return self.created + self.updated + self.unchanged + self.refused

    @property
    def ok(self):
        return self.refused == 0

    @property
    def unlisted_refusals(self):
        return self.refused > 0 and len(self.refusals) >= MAX_LISTED_REFUSALS

    def refuse(self, problems):
        """Count one refused row and list its problems (up to the listing limit)."""
        self.refused += 1
        room = MAX_LISTED_REFUSALS - len(self.refusals)
        if room > 0:
            self.refusals.extend(problems[:room])


class Cells:
    """The cells of one row, read into typed values; each problem is noted, not raised.

    Every reader method returns None for an empty or wrong cell, and notes
    what was wrong, so that one pass finds every problem of the row.
    """

    def __init__(self, row):
        self.line = row.line
        self.cells = row.cells
        self.problems = []

    def refuse(self, column, reason):
        self.problems.append(Refusal(self.line, column, str(reason)))

    def has(self, column):
        return bool(self.cells.get(column, ""))

    def raw(self, column):
        return self.cells.get(column, "")

    def text(self, column, *, required=False, max_length=None, default=""):
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.refuse(column, _("This cell is required."))
            return default
        if max_length is not None and len(value) > max_length:
            self.refuse(
                column,
                _("At most %(limit)d characters (this has %(count)d).") % {"limit": max_length, "count": len(value)},
            )
            return default
        return value

    def matching(self, column, pattern, message, *, required=False, max_length=None):
        value = self.text(column, required=required, max_length=max_length)
        if value and not re.fullmatch(pattern, value):
            self.refuse(column, message)
            return ""
        return value

    def url(self, column, *, max_length=500):
        value = self.text(column, max_length=max_length)
        if value:
            try:
                URLValidator()(value)
            except ValidationError:
                self.refuse(column, _("Not a web address (it must start with http:// or https://)."))
                return ""
        return value

    def integer(self, column, *, required=False, minimum=0, maximum=2_147_483_647):
        value = self.cells.get(column, "").translate(THOUSANDS_SPACES)
        if not value:
            if required:
                self.refuse(column, _("This cell is required."))
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            self.refuse(column, _("Not a whole number: %(value)s.") % {"value": value})
            return None
        number = int(number)
        if number < minimum or number > maximum:
            message = _("Must be between %(minimum)s and %(maximum)s.")
            if maximum == 2_147_483_647:
                message = _("Must be %(minimum)s or more.")
            self.refuse(column, message % {"minimum": minimum, "maximum": maximum})
            return None
        return number

    def decimal(self, column, *, places, minimum, maximum, required=False):
        value = self.cells.get(column, "").translate(THOUSANDS_SPACES)
        if not value:
            if required:
                self.refuse(column, _("This cell is required."))
            return None
        if re.fullmatch(r"-?\d+,\d+", value):
            value = value.replace(",", ".")  # a decimal comma, as Russian and Kazakh spreadsheets write it
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.refuse(column, _("Not a number: %(value)s.") % {"value": value})
            return None
        if number < minimum or number > maximum:
            self.refuse(
                column,
                _("Must be between %(minimum)s and %(maximum)s.") % {"minimum": minimum, "maximum": maximum},
            )
            return None
        return number.quantize(Decimal(1).scaleb(-places))

    def choice(self, column, choices, *, required=False, default=""):
        value = self.cells.get(column, "").lower()
        if not value:
            if required:
                self.refuse(column, _("This cell is required."))
            return default
        if value not in choices.values:
            self.refuse(
                column,
                _("Unknown value %(value)s; use one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)},
            )
            return default
        return value

    def point(self):
        """Latitude and longitude: both or neither."""
        latitude = self.decimal("latitude", places=6, minimum=-90, maximum=90)
        longitude = self.decimal("longitude", places=6, minimum=-180, maximum=180)
        if self.has("latitude") != self.has("longitude"):
            self.refuse("longitude" if self.has("latitude") else "latitude", _("Give both coordinates or neither."))
        return latitude, longitude


class Importer:
    """One kind of data. Subclasses set the columns and write ``parse`` and ``flush``."""

    #: the name used in commands, URLs and templates, e.g. "stations"
    kind = ""
    model = None
    #: the columns, in the order templates and exports write them
    columns: list[Column] = []
    #: the column that names a row (for "appears twice in the file")
    key_column = ""
    #: whether the import belongs to one election
    needs_election = False

    def __init__(self, *, election=None, actor=None, origin=""):
        if self.needs_election and election is None:
            raise ValueError(f"The {self.kind} import needs an election.")
        self.election = election
        #: who imports (None from a command run without --user)
        self.actor = actor
        #: where the rows come from, for records of what changed (e.g. the file's name)
        self.origin = origin

    @classmethod
    def required_permissions(cls):
        """Who may import: those who may both add and change the rows written."""
        opts = cls.model._meta
        return [f"{opts.app_label}.add_{opts.model_name}", f"{opts.app_label}.change_{opts.model_name}"]

    def header_columns(self):
        """The columns of templates and exports, in order."""
        return [column.name for column in self.columns]

    def key_column_of(self, item):
        return self.key_column

    def check_header(self, header):
        """Refuse a file without the required columns; return the columns that will be ignored."""
        missing = [column.name for column in self.columns if column.required and column.name not in header]
        if missing:
            raise ImportFileError(
                _("Required columns are missing: %(missing)s. The file's first line names: %(found)s.")
                % {"missing": ", ".join(missing), "found": ", ".join(header)}
            )
        known = set(self.header_columns())
        return [name for name in header if name not in known and not self.is_extra_column(name)]

    def is_extra_column(self, name):
        return False

    def prepare(self, header):
        """Load what every batch needs (small maps by natural key)."""

    def parse(self, cells):
        """Read one row into an item with a ``key``; note problems on ``cells``."""
        raise NotImplementedError

    def flush(self, items, report, *, write):
        """Check a batch against the database, count it, and write it if ``write``."""
        raise NotImplementedError

    def finish(self, report, *, write):
        """Work that needs every row (regions: parents)."""


@dataclass
class Item:
    """A parsed row: its line, natural key and the model values it sets."""

    line: int
    key: object
    values: dict
    extra: dict = field(default_factory=dict)


def run_import(importer, table, *, write, progress=None):
    """Check (and, if ``write``, import) every row of ``table``; return the Report.

    Everything is written in one transaction, and only if no row is refused:
    a refused row, a bad file or an error rolls back every row.
    """
    report = Report(kind=importer.kind, file_name=table.name)
    report.ignored_columns = importer.check_header(table.header)
    with transaction.atomic():
        importer.prepare(table.header)
        first_lines = {}
        batch = []
        seen_rows = 0
        for row in table.rows():
            seen_rows += 1
            if progress is not None:
                progress(1)
            cells = Cells(row)
            for column in row.formulas:
                cells.refuse(column, _("A formula is not a value: type the value itself."))
            if row.overflow:
                cells.refuse("", _("This row has more cells than the first line has columns."))
            item = importer.parse(cells)
            if item.key in first_lines:
                cells.refuse(
                    importer.key_column_of(item),
                    _("Appears twice in the file (first on line %(line)d).") % {"line": first_lines[item.key]},
                )
            elif item.key and item.key[-1]:
                first_lines[item.key] = row.line
            if cells.problems:
                report.refuse(cells.problems)
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                importer.flush(batch, report, write=write and report.ok)
                batch = []
        if batch:
            importer.flush(batch, report, write=write and report.ok)
        if seen_rows == 0:
            raise ImportFileError(_("The file has no rows below its first line."))
        importer.finish(report, write=write and report.ok)
        report.written = write and report.ok
        if not report.written:
            transaction.set_rollback(True)
        else:
            # Bulk writes send no model signals: say so once, after the import commits.
            transaction.on_commit(lambda: reference_data_changed.send(sender=type(importer), kind=importer.kind))
    report.refusals.sort(key=lambda refusal: refusal.line)
    return report


def count_and_diff(item, existing, fields):
    """The ``{field: (before, after)}`` an item would change on an existing row."""
    return {
        name: (getattr(existing, name), item.values[name])
        for name in fields
        if name in item.values and getattr(existing, name) != item.values[name]
    }


def upsert(model, items, existing_by_key, fields, report, *, write):
    """Create the new items' rows and update the changed ones, in bulk. Returns the rows by key."""
    to_create, to_update, changed_fields, rows = [], [], set(), {}
    for item in items:
        existing = existing_by_key.get(item.key)
        if existing is None:
            rows[item.key] = model(**item.values)
            to_create.append(rows[item.key])
            continue
        rows[item.key] = existing
        diff = count_and_diff(item, existing, fields)
        if diff:
            for name, (_before, after) in diff.items():
                setattr(existing, name, after)
            to_update.append(existing)
            changed_fields.update(diff)
        else:
            report.unchanged += 1
    report.created += len(to_create)
    report.updated += len(to_update)
    if write:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            update_rows(model, to_update, sorted(changed_fields))
    return rows


def update_rows(model, rows, fields):
    """Write ``fields`` of existing ``rows`` to the database, fast.

    On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per batch; Django's
    bulk_update spends most of its time building expressions in Python,
    which makes 100,000 updated results take minutes. Elsewhere bulk_update.
    """
    if not rows or not fields:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=UPDATE_BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    opts = model._meta
    columns = [opts.pk, *[opts.get_field(name) for name in fields]]
    placeholders = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in columns) + ")"
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    pk = quote(opts.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            params = [
                field.get_db_prep_save(getattr(row, field.attname), connection) for row in chunk for field in columns
            ]
            cursor.execute(
                f"UPDATE {quote(opts.db_table)} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([placeholders] * len(chunk))}) AS v({names}) WHERE t.{pk} = v.{pk}",
                params,
            )
