import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from incidents.imports.command import EXIT_BAD_INPUT
from incidents.imports.ooni import OoniFileError, import_answer


class Command(BaseCommand):
    help = (
        "Import OONI measurements from a file saved from OONI's API "
        "(GET https://api.ooni.io/api/v1/measurements?probe_cc=KZ&since=…&until=…; see docs/blockages.md). "
        "Exit codes: 0 imported; 2 the file was refused and nothing was written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON answer of OONI's measurements list, as saved.")

    def handle(self, *args, file, **options):
        try:
            content = Path(file).read_bytes()
            outcome = import_answer(content)
        except (OSError, OoniFileError) as error:
            self.stderr.write(f"Nothing was imported: {error}")
            sys.exit(EXIT_BAD_INPUT)
        self.stdout.write(
            f"{outcome.created} measurement(s) added, {outcome.existing} already stored "
            f"({', '.join(sorted(outcome.countries)) or 'no country'})."
        )
