"""Time the API's endpoints against a large election.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/observer_bench \\
        .venv/bin/python bench/api.py --incidents 100000 --runs 15

The database must exist; it is migrated here. If the current election has
fewer published incidents than ``--incidents``, the demo election is loaded
and ``seed_incidents`` adds them. Each endpoint is fetched ``--runs`` times
through DRF's test client (no web server, no network) and the median and
95th percentile printed with the query count; the CSV and GeoJSON exports
are read to the end (3 runs). Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ["OBSERVER_SUBMISSIONS_PER_MINUTE"] = "0"
os.environ["OBSERVER_API_ANON_RATE"] = "1000000/minute"
os.environ["OBSERVER_API_USER_RATE"] = "1000000/minute"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench import support  # noqa: E402
from incidents import selectors  # noqa: E402
from incidents.models import Incident, Observer  # noqa: E402
from incidents.permissions import MODERATE_PERMISSION  # noqa: E402


def read(response):
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(client, path, runs, **kwargs):
    times, queries, size = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path, **kwargs)
            size = read(response)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries, size


def client_for(user):
    token = support.api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-exports", action="store_true", help="leave out the CSV and GeoJSON exports")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    election = selectors.election_current()
    if election is None or Incident.objects.published().filter(election=election).count() < options.incidents:
        call_command("load_demo", verbosity=0)
        call_command("seed_incidents", count=options.incidents, not_production=True, verbosity=0)
        election = selectors.election_current()
    published = Incident.objects.published().filter(election=election)
    reference = published.order_by("-occurred_at").values_list("reference", flat=True)[500]
    observer = Observer.objects.select_related("user").order_by("pk").first()
    moderator = next(user for user in selectors.moderators() if user.has_perm(MODERATE_PERMISSION))
    public, as_observer, as_moderator = APIClient(), client_for(observer.user), client_for(moderator)

    deep = "/api/v1/incidents/?page_size=200"
    for _ in range(20):  # the cursor of the 21st page of 200
        deep = public.get(deep).json()["next"]
    rows = [
        ("elections", public, "/api/v1/elections/"),
        ("election with national result", public, f"/api/v1/elections/{election.slug}/"),
        ("regions with results and counts", public, "/api/v1/regions/"),
        ("polling stations, first page", public, "/api/v1/polling-stations/"),
        ("incidents, first page of 50", public, "/api/v1/incidents/"),
        ("incidents, page of 200", public, "/api/v1/incidents/?page_size=200"),
        ("incidents, 21st page of 200 (cursor)", public, deep),
        ("incidents, region + kind", public, "/api/v1/incidents/?region=KZ-15&kind=detention"),
        ("incidents, free text", public, "/api/v1/incidents/?q=police"),
        ("one incident", public, f"/api/v1/incidents/{reference}/"),
        ("my reports (observer)", as_observer, "/api/v1/reports/"),
        ("moderation queue (waiting reports)", as_moderator, "/api/v1/moderation/incidents/"),
        ("moderation queue, every status", as_moderator, "/api/v1/moderation/incidents/?status=all"),
        ("one incident (moderator)", as_moderator, f"/api/v1/moderation/incidents/{reference}/"),
    ]
    print(f"{published.count():,} published incidents; {options.runs} runs each\n")
    print("| endpoint | p50 ms | p95 ms | queries |")
    print("| --- | ---: | ---: | ---: |")
    for label, client, path in rows:
        median, p95, queries, _size = timed(client, path, options.runs)
        print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} | {queries} |")

    report = {
        "kind": "other",
        "region": "KZ-75",
        "occurred_at": "2021-01-10T12:00",
        "description": "Benchmark report.",
    }
    times = {"filed (201)": [], "retried (200)": []}
    for _ in range(options.runs):
        key = str(uuid.uuid4())
        for label in times:
            start = time.perf_counter()
            response = as_observer.post("/api/v1/reports/", report, format="json", HTTP_IDEMPOTENCY_KEY=key)
            times[label].append(time.perf_counter() - start)
            assert response.status_code in (200, 201), response.content
    for label, values in times.items():
        print(f"| file a report, {label} | {statistics.median(values) * 1000:.1f} | {max(values) * 1000:.1f} | |")

    if options.no_exports:
        return
    print("\n| export | seconds (median of 3) | MB |")
    print("| --- | ---: | ---: |")
    for label, path in [
        ("CSV, all", "/api/v1/incidents.csv"),
        ("GeoJSON, all", "/api/v1/incidents.geojson"),
        ("CSV, region KZ-15 + detention", "/api/v1/incidents.csv?region=KZ-15&kind=detention"),
    ]:
        median, _p95, _queries, size = timed(public, path, 3)
        print(f"| {label} | {median:.2f} | {size / 1e6:.1f} |")


if __name__ == "__main__":
    main()
