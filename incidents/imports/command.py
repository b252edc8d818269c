"""The management-command door to the importers: ``manage.py import_<kind> FILE``.

Exit codes: 0 imported (or, with --dry-run, would import) every row; 1 some
rows were refused and nothing was written; 2 the file or the options are
wrong and nothing was written.
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ..models import Election, ResultStage
from .base import run_import
from .reader import ImportFileError, open_table

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


class ImportCommand(BaseCommand):
    kind = ""

    @property
    def importer_class(self):
        from . import IMPORTERS

        return IMPORTERS[self.kind]

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = (
            f"Import {self.kind} from a CSV or XLSX file. Exit codes: 0 every row imported "
            "(or checked, with --dry-run); 1 rows refused, nothing written; 2 bad file or options, nothing written."
        )
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV (UTF-8, comma or semicolon) or XLSX file.")
        if self.importer_class.needs_election or self.kind == "observers":
            parser.add_argument(
                "--election",
                required=self.importer_class.needs_election,
                help="Slug of the election"
                + ("" if self.importer_class.needs_election else " whose polling stations the file assigns"),
            )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("--user", help="Username of the coordinator recorded as making the changes.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")
        if self.kind == "results":
            parser.add_argument("--stage", choices=ResultStage.values, default="", help="Stage of rows without one.")
            parser.add_argument("--source", default="", help="Source of rows without one.")
            parser.add_argument(
                "--tolerance",
                default=None,
                help="Percentage by which party votes may differ from valid votes "
                "(default: OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT).",
            )
        if self.kind == "observers":
            parser.add_argument(
                "--no-invite", action="store_true", help="Do not mail new observers an invitation to set a password."
            )
            parser.add_argument("--base-url", default=None, help="Site address for invitation links.")

    def handle(self, *args, **options):
        importer = self.importer_class(**self.importer_options(options))
        try:
            table = open_table(options["file"])
        except ImportFileError as error:
            raise CommandError(f"{options['file']}: {error.message}", returncode=EXIT_BAD_INPUT) from error
        progress = self.progress_bar(table, disabled=options["no_progress"])
        try:
            report = run_import(importer, table, write=not options["dry_run"], progress=progress.update)
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
            raise CommandError(
                f"{report.refused} rows refused; nothing was written. Fix them and run the command again.",
                returncode=EXIT_REFUSED,
            )

    def importer_options(self, options):
        values = {"origin": f"manage.py import_{self.kind} {options['file']}"}
        if "election" in options:
            values["election"] = self.election(options["election"])
        if options["user"]:
            values["actor"] = self.user(options["user"])
        if self.kind == "results":
            values.update(stage=options["stage"], source=options["source"], tolerance_percent=options["tolerance"])
        if self.kind == "observers":
            values.update(invite=not options["no_invite"], base_url=options["base_url"])
        return values

    def election(self, slug):
        if slug is None:
            return None
        try:
            return Election.objects.get(slug=slug)
        except Election.DoesNotExist as error:
            known = ", ".join(Election.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No election {slug!r} (known: {known}).", returncode=EXIT_BAD_INPUT) from error

    def user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.", returncode=EXIT_BAD_INPUT) from error

    def progress_bar(self, table, *, disabled):
        from tqdm import tqdm

        return tqdm(
            total=table.estimated_rows, unit=" rows", desc=self.kind, disable=disabled, file=sys.stderr, mininterval=0.5
        )

    def print_report(self, report, *, dry_run):
        verb = "would be" if dry_run or not report.ok else "were"
        self.stdout.write(
            f"{report.file_name}: {report.rows} rows — {report.created} {verb} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.refused} refused."
        )
        for note in report.notes:
            self.stdout.write(str(note))
        if report.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(report.ignored_columns)}")
        for refusal in report.refusals:
            column = f", column {refusal.column}" if refusal.column else ""
            self.stderr.write(f"line {refusal.line}{column}: {refusal.reason}")
        if report.unlisted_refusals:
            self.stderr.write(f"… only the first {len(report.refusals)} problems are listed.")
        if report.written:
            self.stdout.write(self.style.SUCCESS("Imported."))
        elif dry_run and report.ok:
            self.stdout.write(self.style.SUCCESS("Dry run: every row can be imported; nothing was written."))
