"""Time the public pages and exports against the database as it is.

    manage.py seed_incidents --count 100000
    manage.py measure_public_pages --runs 30

Each page is requested ``--runs`` times through Django's test client (no
network, no web server) with its cache cleared before every request, so the
figures are the cost of building the page; one line also shows a page served
from the cache. The CSV export is read to the end; its peak Python memory is
measured in a separate run with tracemalloc. Prints a Markdown table.
"""

import os
import platform
import statistics
import time
import tracemalloc

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from incidents import selectors
from incidents.models import Incident
from incidents.public import cache as public_cache


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {memory} RAM, {cpu}"


class Command(BaseCommand):
    help = "Measure p50/p95 of the public pages and the CSV export time and memory (Markdown output)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Requests per page (default 30).")
        parser.add_argument("--export-runs", type=int, default=3, help="Full CSV/GeoJSON exports to time (default 3).")

    def handle(self, *args, **options):
        election = selectors.election_current()
        if election is None:
            raise CommandError("No election: run load_demo and seed_incidents first.")
        published = Incident.objects.published().filter(election=election)
        total = published.count()
        busiest = published.exclude(region=None).values("region__code").annotate(n=Count("pk")).order_by("-n").first()
        region_code = busiest["region__code"] if busiest else None
        sample = published.order_by("-published_at").first()
        if sample is None:
            raise CommandError("No published incident: run seed_incidents first.")
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            self.measure(options, election, total, region_code, sample)

    def measure(self, options, election, total, region_code, sample):
        client = Client()
        runs = options["runs"]
        pages = [
            ("home `/`", reverse("home"), {}),
            ("list, unfiltered `/incidents/`", reverse("incident-list"), {}),
            ("list, page 50", reverse("incident-list"), {"page": 50}),
            ("list, region + kind", reverse("incident-list"), {"region": region_code, "kind": "detention"}),
            (
                "list, region + dates + verification",
                reverse("incident-list"),
                {
                    "region": region_code,
                    "date_from": str(election.election_day),
                    "date_to": str(election.election_day),
                    "verification": "confirmed",
                },
            ),
            ("list, free text", reverse("incident-list"), {"q": "ballot box"}),
            ("incident page", sample.get_absolute_url(), {}),
            ("regions `/regions/`", reverse("region-list"), {}),
            (f"region page `{region_code}`", reverse("region-detail", args=[region_code]), {}),
            ("map data (regions GeoJSON)", reverse("region-map-data"), {}),
            ("Atom feed", reverse("incident-feed"), {}),
        ]
        self.stdout.write(
            f"Machine: {machine()}; Python {platform.python_version()}; "
            f"database: {connection.vendor}; published incidents in {election.slug}: {total:,}; "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}\n"
        )
        self.stdout.write("| page | p50 ms | p95 ms | queries |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        for label, url, query in pages:
            timings = []
            for _ in range(runs):
                public_cache.clear(public_cache.LISTS)
                started = time.perf_counter()
                response = client.get(url, query)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} {query}: {response.status_code}")
            queries = self.count_queries(client, url, query, sample)
            self.stdout.write(
                f"| {label} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} | {queries} |"
            )
        cached = []
        client.get(reverse("incident-list"))
        for _ in range(runs):
            started = time.perf_counter()
            client.get(reverse("incident-list"))
            cached.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(cached), percentile(cached, 0.95)
        self.stdout.write(f"| list, unfiltered, from the cache | {p50:.1f} | {p95:.1f} | 0 |")
        self.stdout.write("")
        self.stdout.write("| export | time s (median) | size MB | peak Python memory MB |")
        self.stdout.write("| --- | ---: | ---: | ---: |")
        exports = [
            ("CSV", "incident-export-csv", {}),
            ("GeoJSON", "incident-export-geojson", {}),
            (
                f"CSV, region {region_code} + detention",
                "incident-export-csv",
                {"region": region_code, "kind": "detention"},
            ),
        ]
        for label, name, query in exports:
            timings, size = [], 0
            for _ in range(options["export_runs"]):
                started = time.perf_counter()
                size = sum(len(chunk) for chunk in client.get(reverse(name), query).streaming_content)
                timings.append(time.perf_counter() - started)
            tracemalloc.start()
            sum(len(chunk) for chunk in client.get(reverse(name), query).streaming_content)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            self.stdout.write(f"| {label} | {statistics.median(timings):.2f} | {size / 1e6:.1f} | {peak / 1e6:.1f} |")

    def count_queries(self, client, url, query, sample):
        from django.test.utils import CaptureQueriesContext

        public_cache.clear(public_cache.LISTS)
        with CaptureQueriesContext(connection) as captured:
            client.get(url, query)
        return len(captured.captured_queries)
