"""Time the imports on files the size of a real election, and print a Markdown table.

Generates, in a temporary folder: 20 regions, 7 parties, 10,000 polling
stations (CSV and XLSX), 100,000 polling stations, 100,000 preliminary
station results and the same 100,000 as final results (every one changed).
Each import runs as its own ``manage.py import_*`` process, so that its peak
memory (RSS) is measured alone. The data goes into an election with the slug
``bench-imports`` and regions coded ``BX-…``, removed before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/observer DJANGO_DEBUG=true \\
        .venv/bin/python bench/imports.py

Use a database you can spare: the run writes and deletes about a million rows.
"""

import argparse
import csv
import datetime
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from incidents.models import (  # noqa: E402
    Election,
    OfficialResult,
    Party,
    PartyResult,
    PollingStation,
    Region,
    ResultChange,
)

SLUG = "bench-imports"
REGIONS = [f"BX-{n:02d}" for n in range(1, 21)]
PARTIES = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
STATION_HEADER = ["number", "region", "name", "address", "registered_voters", "latitude", "longitude"]
RESULT_HEADER = [
    "station",
    "stage",
    "registered_voters",
    "ballots_cast",
    "valid_votes",
    "invalid_votes",
    "source",
    *[f"votes:{party}" for party in PARTIES],
]


def clean():
    """Remove the benchmark's rows, children first, without loading them."""
    election = Election.objects.filter(slug=SLUG).first()
    if election is not None:
        for queryset in (
            ResultChange.objects.filter(result__election=election),
            PartyResult.objects.filter(result__election=election),
            OfficialResult.objects.filter(election=election),
            PollingStation.objects.filter(election=election),
            Party.objects.filter(election=election),
            Election.objects.filter(pk=election.pk),
        ):
            queryset._raw_delete(queryset.db)
    Region.objects.filter(code__startswith="BX-").update(parent=None)
    Region.objects.filter(code__startswith="BX-")._raw_delete("default")


def station(number):
    return f"S{number:06d}"


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def station_rows(count):
    rng = random.Random(7)
    for number in range(count):
        yield [
            station(number),
            REGIONS[number % len(REGIONS)],
            f"School No. {number}",
            f"{number} Abay Avenue",
            rng.randint(500, 3000),
            f"{43 + rng.random():.6f}",
            f"{76 + rng.random():.6f}",
        ]


def result_rows(count, stage):
    rng = random.Random(11)
    for number in range(count):
        registered = rng.randint(500, 3000)
        ballots = registered * rng.randint(40, 80) // 100
        invalid = ballots // 50
        valid = ballots - invalid
        shares = [rng.random() for _ in PARTIES]
        votes = [int(valid * share / sum(shares)) for share in shares]
        votes[0] += valid - sum(votes)
        if stage == "final":  # the final count moves one vote between two parties
            votes[0], votes[1] = votes[0] - 1, votes[1] + 1
        yield [station(number), stage, registered, ballots, valid, invalid, f"Commission, {stage}", *votes]


def write_files(folder, stations, results):
    files = {}
    files["regions"] = write_csv(
        folder / "regions.csv",
        ["code", "name_en", "level", "parent"],
        [[code, f"Bench region {code}", "region", ""] for code in REGIONS],
    )
    files["parties"] = write_csv(
        folder / "parties.csv",
        ["short_name", "name_en", "ballot_number"],
        [[party, f"Party {party}", n] for n, party in enumerate(PARTIES, start=1)],
    )
    files["stations-small"] = write_csv(folder / "stations-small.csv", STATION_HEADER, station_rows(stations))
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(STATION_HEADER)
    for row in station_rows(stations):
        sheet.append(row)
    files["stations-small-xlsx"] = folder / "stations-small.xlsx"
    workbook.save(files["stations-small-xlsx"])
    files["stations-large"] = write_csv(folder / "stations-large.csv", STATION_HEADER, station_rows(results))
    files["results-preliminary"] = write_csv(
        folder / "results-preliminary.csv", RESULT_HEADER, result_rows(results, "preliminary")
    )
    files["results-final"] = write_csv(folder / "results-final.csv", RESULT_HEADER, result_rows(results, "final"))
    return files


def run(label, rows, command, path, *args):
    """Run one import in its own process; return its time, peak RSS and exit code."""
    argv = [sys.executable, str(ROOT / "manage.py"), command, str(path), "--no-progress", *args]
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = output.read().strip().splitlines()
    print(f"  {label}: {seconds:.1f} s, exit {process.returncode} — {lines[0] if lines else ''}", file=sys.stderr)
    return {
        "label": label,
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds,
        "rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
        "exit": process.returncode,
    }


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kib = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    memory = f"{memory_kib / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} CPUs (nproc), {memory}, {cpu}; {database}; Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10_000, help="polling stations in the small file")
    parser.add_argument("--results", type=int, default=100_000, help="stations and station results in the large files")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    clean()
    Election.objects.create(
        slug=SLUG,
        name_en="Benchmark election",
        kind="parliamentary",
        country="KZ",
        election_day=datetime.date(2021, 1, 10),
        time_zone="Asia/Almaty",
        reference_prefix="BENCH",
    )
    figures = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            print("Writing files…", file=sys.stderr)
            files = write_files(Path(folder), options.stations, options.results)
            election = ["--election", SLUG]
            small, large = options.stations, options.results
            run("regions", len(REGIONS), "import_regions", files["regions"])
            run("parties", len(PARTIES), "import_parties", files["parties"], *election)
            steps = [
                (f"{small:,} stations, CSV, new", small, "import_stations", files["stations-small"], *election),
                (
                    f"{small:,} stations, CSV, again (unchanged)",
                    small,
                    "import_stations",
                    files["stations-small"],
                    *election,
                ),
                (
                    f"{small:,} stations, XLSX, dry run (unchanged)",
                    small,
                    "import_stations",
                    files["stations-small-xlsx"],
                    *election,
                    "--dry-run",
                ),
                (
                    f"{large:,} stations, CSV ({large - small:,} new)",
                    large,
                    "import_stations",
                    files["stations-large"],
                    *election,
                ),
                (
                    f"{large:,} station results, preliminary, new",
                    large,
                    "import_results",
                    files["results-preliminary"],
                    *election,
                ),
                (
                    f"{large:,} station results, final over preliminary (each change recorded)",
                    large,
                    "import_results",
                    files["results-final"],
                    *election,
                ),
                (
                    f"{large:,} station results, final again (unchanged)",
                    large,
                    "import_results",
                    files["results-final"],
                    *election,
                ),
            ]
            for label, rows, command, path, *args in steps:
                figures.append(run(label, rows, command, path, *args))
            counts = (
                PollingStation.objects.filter(election__slug=SLUG).count(),
                OfficialResult.objects.filter(election__slug=SLUG).count(),
                PartyResult.objects.filter(result__election__slug=SLUG).count(),
                ResultChange.objects.filter(result__election__slug=SLUG).count(),
            )
    finally:
        clean()
    print(f"\nMachine: {machine()}")
    print(
        f"Written: {counts[0]:,} stations, {counts[1]:,} results, {counts[2]:,} party results, {counts[3]:,} changes\n"
    )
    print("| import | rows | time | rows/s | peak RSS | exit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for figure in figures:
        print(
            f"| {figure['label']} | {figure['rows']:,} | {figure['seconds']:.1f} s | {figure['rate']:,.0f} | "
            f"{figure['rss_mib']:.0f} MiB | {figure['exit']} |"
        )


if __name__ == "__main__":
    main()
