"""Writing tables for people to open in spreadsheets, safely and as a stream.

Every CSV the site writes (public exports, coordinator exports) goes
through here, so that no cell can carry a spreadsheet formula and no export
has to be held in memory whole.
"""

import csv
import itertools
from decimal import Decimal

#: a cell starting with one of these is run as a formula by spreadsheet programs
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # and their full-width forms


def safe_cell(value):
    """``value`` as text that a spreadsheet shows as text, never runs as a formula.

    Numbers stay numbers; text starting with a formula character gets a
    leading apostrophe (OWASP's advice for CSV injection).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(header, rows):
    """Yield the CSV text of ``header`` then each row, one line at a time.

    A UTF-8 byte order mark comes first so that spreadsheet programs read
    Cyrillic correctly. Use with StreamingHttpResponse or write to a file.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def started(lines, count=2):
    """``lines`` with its first ``count`` items made now: the header and the first row, which runs the
    query. A streamed answer built on it fails before its 200 status is sent (an error page, not a
    body cut off in the middle) when the query or the first row cannot be made."""
    lines = iter(lines)
    head = list(itertools.islice(lines, count))
    return itertools.chain(head, lines)


def export_filename(*parts, extension):
    """The name of an exported file: its non-empty ``parts`` joined by dashes, then ``.extension``."""
    return "-".join(str(part) for part in parts if part) + f".{extension}"
