"""Re-check a PVT sample's published fingerprint from its seed and its station numbers (docs/pvt.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.results.pvt import fingerprint


class Command(BaseCommand):
    help = (
        "Print the SHA-256 fingerprint of a PVT sample: the seed, then the station numbers sorted, one a line "
        "(docs/pvt.md). With --expect, say whether it matches the published one (exit 1 if not)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", required=True, help="The seed, as published after the polls closed.")
        parser.add_argument("numbers", nargs="*", help="Station numbers of the sample (or use --file).")
        parser.add_argument("--file", help="A text file of station numbers, one a line ('-' for standard input).")
        parser.add_argument("--expect", help="The fingerprint published before election day.")

    def handle(self, *args, **options):
        numbers = list(options["numbers"])
        if options["file"]:
            try:
                text = sys.stdin.read() if options["file"] == "-" else Path(options["file"]).read_text("utf-8")
            except OSError as error:
                raise CommandError(f"Cannot read {options['file']}: {error.strerror}.", returncode=2) from error
            numbers += [line.strip() for line in text.splitlines() if line.strip()]
        if not numbers:
            raise CommandError("Give the station numbers, as arguments or with --file.", returncode=2)
        computed = fingerprint(options["seed"], numbers)
        self.stdout.write(computed)
        expected = options["expect"]
        if expected is None:
            return
        if computed == expected.strip().lower():
            self.stdout.write(self.style.SUCCESS(f"Matches: {len(set(numbers))} stations."))
        else:
            raise CommandError("Does NOT match the published fingerprint.", returncode=1)
