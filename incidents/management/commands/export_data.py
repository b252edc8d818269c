"""Write one kind of reference data to a CSV or XLSX file that imports back unchanged."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.imports import EXPORT_FORMATS, IMPORTERS, write_export, write_template
from incidents.models import Election


class Command(BaseCommand):
    help = (
        "Export regions, parties, stations, organizations, observers or results as CSV or XLSX (see docs/imports.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORTERS))
        parser.add_argument("file", help="Where to write; .csv or .xlsx decides the format.")
        parser.add_argument(
            "--election", help="Slug of the election (parties, stations, results; observers' stations)."
        )
        parser.add_argument("--template", action="store_true", help="Write only the columns, as a template to fill in.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            raise CommandError("The file name must end in .csv or .xlsx.", returncode=2)
        importer_class = IMPORTERS[options["kind"]]
        election = None
        if options["election"]:
            election = Election.objects.filter(slug=options["election"]).first()
            if election is None:
                raise CommandError(f"No election {options['election']!r}.", returncode=2)
        elif importer_class.needs_election:
            raise CommandError(f"Exporting {options['kind']} needs --election.", returncode=2)
        importer = importer_class(election=election)
        with path.open("wb") as out:
            (write_template if options["template"] else write_export)(importer, fmt, out)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
