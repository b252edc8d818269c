"""``manage.py import_station_results FILE --election SLUG --mapping ru-cec`` (or each column named).

Exit codes as the other imports: 0 imported (or checked, with --dry-run); 1 rows refused, nothing
written; 2 bad file or options, nothing written. See docs/forensics.md.
"""

from dataclasses import replace

from django.core.management.base import CommandError
from django.db import DatabaseError

from incidents.imports.command import EXIT_BAD_INPUT, EXIT_REFUSED, ImportCommand
from incidents.imports.reader import ImportFileError
from incidents.results.station_import import MAPPINGS, ColumnMapping, import_station_results

ROLE_OPTIONS = {
    "region": "region",
    "district": "district",
    "station": "station",
    "registered": "registered_voters",
    "valid": "valid_votes",
    "invalid": "invalid_votes",
    "parties": "party_pattern",
    "url": "url",
}


class Command(ImportCommand):
    help = "Import a commission's file of station-level results into an election of its own (docs/forensics.md)."
    kind = "station_results"

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV (UTF-8), an XLSX file, or a ZIP archive holding one CSV.")
        parser.add_argument("--election", required=True, help="Slug of the election (with no polling station yet).")
        parser.add_argument(
            "--mapping", choices=list(MAPPINGS), help="A known column mapping; the options below override it."
        )
        parser.add_argument("--region", help="Column of the region's name.")
        parser.add_argument("--district", help="Column of the district (territorial) commission.")
        parser.add_argument("--station", help="Column of the station's number within its district.")
        parser.add_argument("--registered", help="Column of the registered voters.")
        parser.add_argument(
            "--ballots", action="append", help="Column of ballots cast; repeat it to add several columns up."
        )
        parser.add_argument("--valid", help="Column of the valid ballots.")
        parser.add_argument("--invalid", help="Column of the invalid ballots.")
        parser.add_argument("--parties", help="Regular expression matching the party columns' headers.")
        parser.add_argument("--url", help="Column of the station's web page.")
        parser.add_argument("--source", default="", help="Who published the results.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("--user", help="Username of the coordinator recorded as making the changes.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def mapping(self, options):
        given = {role: options[option] for option, role in ROLE_OPTIONS.items() if options[option] is not None}
        if options["ballots"]:
            given["ballots_cast"] = tuple(options["ballots"])
        if options["mapping"]:
            return replace(MAPPINGS[options["mapping"]], **given)
        missing = [
            f"--{option}"
            for option, role in ROLE_OPTIONS.items()
            if role in ("region", "district", "station", "registered_voters", "valid_votes") and role not in given
        ]
        if "ballots_cast" not in given:
            missing.append("--ballots")
        if missing:
            raise CommandError(f"Give --mapping or these columns: {', '.join(missing)}.", returncode=EXIT_BAD_INPUT)
        return ColumnMapping(**given)

    def handle(self, *args, **options):
        election = self.election(options["election"])
        mapping = self.mapping(options)
        actor = self.user(options["user"]) if options["user"] else None
        from tqdm import tqdm

        progress = tqdm(unit=" rows", desc=self.kind, disable=options["no_progress"], mininterval=0.5)
        try:
            report = import_station_results(
                options["file"],
                election=election,
                mapping=mapping,
                source=options["source"],
                actor=actor,
                write=not options["dry_run"],
                progress=progress,
            )
        except ImportFileError as error:
            raise CommandError(
                f"{options['file']}: {error.message} Nothing was written.", returncode=EXIT_BAD_INPUT
            ) from error
        except DatabaseError as error:
            raise CommandError(
                f"{options['file']}: the database refused the import ({error}). Nothing was written.",
                returncode=EXIT_BAD_INPUT,
            ) from error
        finally:
            progress.close()
        self.print_report(report, dry_run=options["dry_run"])
        if not report.ok:
            raise CommandError(f"{report.refused} rows refused; nothing was written.", returncode=EXIT_REFUSED)
