import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from incidents.imports.command import EXIT_BAD_INPUT
from incidents.imports.ooni import OoniFetchDisabled, OoniFileError, fetch_measurements, fetch_ooni_task


class Command(BaseCommand):
    help = (
        "Fetch a country's OONI measurements for some days straight from OONI's API and store the new ones. "
        "Works only where OBSERVER_OONI_API_URL is set (docs/blockages.md). "
        "Exit codes: 0 stored; 2 refused or unreachable, nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. KZ.")
        parser.add_argument("--since", required=True, type=datetime.date.fromisoformat, help="First day, YYYY-MM-DD.")
        parser.add_argument("--until", required=True, type=datetime.date.fromisoformat, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--queue", action="store_true", help="Queue it as a Celery task instead of waiting.")

    def handle(self, *args, country, since, until, queue, **options):
        if len(country) != 2 or not country.isalpha():
            raise CommandError("--country takes a two-letter code, e.g. KZ.")
        if until < since:
            raise CommandError("--until is before --since.")
        if queue:
            fetch_ooni_task.delay(country.upper(), since.isoformat(), until.isoformat())
            self.stdout.write("Queued.")
            return
        try:
            outcome = fetch_measurements(country=country, since=since, until=until)
        except (OoniFetchDisabled, OoniFileError, OSError) as error:
            self.stderr.write(f"Nothing was fetched: {error}")
            sys.exit(EXIT_BAD_INPUT)
        self.stdout.write(f"{outcome.created} measurement(s) added, {outcome.existing} already stored.")
