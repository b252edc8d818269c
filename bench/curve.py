"""`make bench-curve`: how the cost of the public pages and the export grows with the incidents.

    make bench-curve                               # 10,000, 100,000 and 1,000,000 published incidents
    make bench-curve CURVE_SIZES=10000,100000      # without the million (seeding it takes long)

For each size, a PostgreSQL database of its own (``observer_curve_<size>``) gets the demo
election and that many published incidents (``seed_incidents``, with a progress bar; a second
run adds only what is missing), then ``manage.py measure_public_pages`` times the pages built
from the database (the cache cleared before every request) and the CSV export read to the end,
through Django's test client in one process. Writes the figures between the ``curve`` markers
of docs/benchmarks.md.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import support

#: rows of measure_public_pages' tables that the curve follows: (label in the table, label here)
FOLLOWED = [
    ("list, region + kind", "filtered list (region + kind)"),
    ("list, unfiltered `/incidents/`", "list, unfiltered"),
    ("region page", "region page"),
    ("home `/`", "overview (home)"),
    ("incident page", "incident page"),
]


def measure(database_url, redis_url, runs):
    """measure_public_pages' Markdown output for one database, as ``{label: (p50, p95)}`` and the CSV time."""
    env = support.server_environment(database_url, redis_url)
    output = support.manage("measure_public_pages", "--runs", str(runs), "--export-runs", "1", env=env, capture=True)
    pages, csv_seconds = {}, None
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[\d.]+", cells[1] or "x") and re.fullmatch(r"[\d.]+", cells[2] or "x"):
            pages[cells[0]] = (float(cells[1]), float(cells[2]))
        if cells and cells[0] == "CSV" and len(cells) == 4:
            csv_seconds = float(cells[1])
    return pages, csv_seconds


def row_for(pages, label):
    return next((figures for name, figures in pages.items() if name.startswith(label)), None)


def markdown(sizes, results, command, machine, runs):
    header = " | ".join(f"{size:,}" for size in sizes)
    lines = [
        "## The cost curve: `make bench-curve`",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `{command}`: each page built from the database "
        f"(cache cleared before each of {runs} requests) through Django's test client, PostgreSQL on the "
        "same machine; p50 / p95 in ms at each number of published incidents. The CSV export of every "
        "published incident, read to the end, in seconds.",
        "",
        *(f"- {line}" for line in machine),
        "",
        f"| page | {header} |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    for label, name in FOLLOWED:
        cells = []
        for size in sizes:
            figures = row_for(results[size]["pages"], label)
            cells.append(f"{figures[0]:.1f} / {figures[1]:.1f}" if figures else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [f"{results[size]['csv_seconds']:.1f} s" if results[size]["csv_seconds"] else "—" for size in sizes]
    lines.append("| CSV export, every published incident | " + " | ".join(cells) + " |")
    seeded = [f"{results[size]['seed_seconds']:.0f} s" for size in sizes]
    lines.append("| setting the database up (migrations, demo, seeding) | " + " | ".join(seeded) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("CURVE_SIZES") or "10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CURVE_RUNS") or 15))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/10")
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave docs/benchmarks.md")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    results = {}
    for size in sizes:
        database_url = f"postgres://postgres@127.0.0.1:5432/observer_curve_{size}"
        print(f"== {size:,} published incidents in {database_url}")
        started = time.perf_counter()
        support.prepare_database(database_url, options.redis_url, incidents=size)
        seed_seconds = time.perf_counter() - started
        pages, csv_seconds = measure(database_url, options.redis_url, options.runs)
        results[size] = {"pages": pages, "csv_seconds": csv_seconds, "seed_seconds": seed_seconds}
        for label, name in FOLLOWED:
            figures = row_for(pages, label)
            if figures:
                print(f"  {name:<32} p50 {figures[0]:7.1f} ms  p95 {figures[1]:7.1f} ms")
        print(f"  CSV export: {csv_seconds} s")
    command = "make bench-curve" + (f" CURVE_SIZES={options.sizes}" if options.sizes != "10000,100000,1000000" else "")
    text = markdown(
        sizes,
        results,
        command,
        support.machine(f"postgres://postgres@127.0.0.1:5432/observer_curve_{sizes[0]}"),
        options.runs,
    )
    print()
    print(text)
    if not options.no_write:
        support.write_section("curve", text)


if __name__ == "__main__":
    main()
