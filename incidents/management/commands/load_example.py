"""``manage.py load_example ru-duma-2016``: an election with real station-level results (docs/forensics.md)."""

import resource
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from incidents.imports.reader import ImportFileError
from incidents.results.examples import EXAMPLES, load_example


class Command(BaseCommand):
    help = "Set up an example election with real station-level results, for the forensics pages."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=list(EXAMPLES))
        parser.add_argument("--path", help="The file, if not in shared/data beside the repository.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args, **options):
        from tqdm import tqdm

        example = EXAMPLES[options["name"]]
        started = time.perf_counter()
        progress = tqdm(unit=" rows", desc=options["name"], disable=options["no_progress"], file=sys.stderr)
        try:
            election, report = load_example(options["name"], path=options["path"], progress=progress)
        except FileNotFoundError as error:
            raise CommandError(
                f"{example.file_name} was not found in shared/data beside the repository; give it with --path. "
                f"It comes from {example.source_url}.",
                returncode=2,
            ) from error
        except ImportFileError as error:
            raise CommandError(f"{error.message} Nothing was written.", returncode=2) from error
        finally:
            progress.close()
        if report is None:
            self.stdout.write(f"{election.slug} is loaded already; nothing changed.")
            return
        if not report.written:
            for refusal in report.refusals[:20]:
                self.stderr.write(f"line {refusal.line}, column {refusal.column}: {refusal.reason}")
            raise CommandError(f"{report.refused} rows refused; nothing was written.", returncode=1)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"{election.slug}: {report.created} stations imported in {time.perf_counter() - started:.1f} s "
                f"(peak memory {peak:.0f} MB). Pages: /e/{election.slug}/forensics/"
            )
        )
        for note in report.notes:
            self.stdout.write(str(note))
