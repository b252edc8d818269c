"""Importing and exporting reference data as CSV or XLSX files.

One importer per kind of data; the admin pages and the management commands
are two doors to the same importers. ``run_import`` checks a file (a dry
run) or imports it in one transaction; ``write_export`` writes the same
columns back, so that a file goes round trip unchanged.
"""

from .base import MAX_LISTED_REFUSALS, Column, Refusal, Report, run_import
from .exports import EXPORT_FORMATS, export_filename, write_export, write_template
from .observers import ObserverImporter
from .organizations import OrganizationImporter
from .parties import PartyImporter
from .reader import ImportFileError, open_table
from .regions import RegionImporter
from .results import ResultImporter
from .stations import PollingStationImporter

#: every importer by kind, in the order an election is set up
IMPORTERS = {
    importer.kind: importer
    for importer in (
        RegionImporter,
        PartyImporter,
        PollingStationImporter,
        OrganizationImporter,
        ObserverImporter,
        ResultImporter,
    )
}

__all__ = [
    "EXPORT_FORMATS",
    "IMPORTERS",
    "MAX_LISTED_REFUSALS",
    "Column",
    "ImportFileError",
    "Refusal",
    "Report",
    "export_filename",
    "open_table",
    "run_import",
    "write_export",
    "write_template",
]
