"""Time the moderation pages and services with many reports waiting.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/observer_bench \\
        .venv/bin/python bench/moderation.py --reports 5000

The database must exist; it is migrated here. If it holds no reports yet,
the demo election is loaded and the reports are filed through the real
service, spread over the regions, kinds and election day; a database filled
by an earlier run is used as it is. Then each page is fetched several times
through Django's test client and the median time printed, with its query
count. Mail goes to memory.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ["OBSERVER_SUBMISSIONS_PER_MINUTE"] = "0"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django

django.setup()

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from incidents import notifications, selectors, services  # noqa: E402
from incidents.models import Election, Incident, IncidentKind, Observer, Region, Status  # noqa: E402


def timed(label, action, runs):
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    print(f"| {label} | {statistics.median(times) * 1000:.0f} ms | {queries} |")


def fill(count):
    election = Election.objects.get(slug="kz-2021-mazhilis")
    regions = list(Region.objects.all())
    reporters = list(Observer.objects.all())
    kinds = [IncidentKind.CAROUSEL_VOTING, IncidentKind.BALLOT_STUFFING, IncidentKind.INTIMIDATION, IncidentKind.OTHER]
    start = datetime.datetime(2021, 1, 10, 2, 0, tzinfo=datetime.UTC)
    for number in range(count):
        services.incident_submit(
            reporter=reporters[number % len(reporters)],
            election=election,
            kind=kinds[number % len(kinds)],
            region=regions[number % len(regions)],
            occurred_at=start + datetime.timedelta(seconds=number * 43200 // count),
            occurred_precision="approximate",
            description=f"Report {number}: observers were kept away from the ballot box and the count.",
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Incident.objects.exists():
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        started = time.perf_counter()
        fill(options.reports)
        print(f"Filed {options.reports} reports in {time.perf_counter() - started:.0f} s.")
    print(f"{Incident.objects.count()} reports, {Incident.objects.filter(status=Status.SUBMITTED).count()} waiting.\n")

    moderator = get_user_model().objects.get(username="moderator1")
    client = Client()
    client.force_login(moderator)
    queue = reverse("admin:incidents_incident_changelist")
    waiting = Incident.objects.filter(status=Status.SUBMITTED).order_by("created_at")
    report = waiting[len(waiting) // 2]
    page = reverse("admin:incidents_incident_change", args=[report.pk])

    print("| what | median | queries |")
    print("| --- | --- | --- |")
    timed("queue, first page of 50", lambda: client.get(queue), options.runs)
    timed(
        "queue, filtered (unassigned, one kind) and searched",
        lambda: client.get(queue, {"assignee": "nobody", "q": "ballot box", "kind__exact": "other"}),
        options.runs,
    )
    timed("incident page (with likely duplicates)", lambda: client.get(page), options.runs)
    timed("likely duplicates alone", lambda: selectors.likely_duplicates(report), options.runs)
    timed("dashboard", lambda: client.get(reverse("admin:incidents_incident_dashboard")), options.runs)
    batch = list(waiting.values_list("pk", flat=True)[:50])
    timed(
        "bulk claim of 50 reports",
        lambda: client.post(queue, {"action": "claim_selected", ACTION_CHECKBOX_NAME: batch}),
        1,
    )
    timed(
        "submitted to published, one press",
        lambda: client.post(
            reverse("admin:incidents_incident_moderate", args=[report.pk]),
            {
                "version": Incident.objects.get(pk=report.pk).version,
                "to_status": "published",
                "verification": "corroborated",
                "public_summary": "Observers were kept away from the ballot box.",
            },
        ),
        1,
    )

    def digest_of_everything():
        cache.set(notifications.DIGEST_STATE_KEY, {"until": "2000-01-01T00:00:00+00:00"})
        notifications.send_moderator_digest()

    timed("moderators' digest listing every waiting report", digest_of_everything, 3)


if __name__ == "__main__":
    main()
