"""Where a new report's time goes: the API submission profiled with pyinstrument, and its queries.

    createdb -h 127.0.0.1 -U postgres observer_profile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/observer_profile \\
        .venv/bin/python bench/profile_submit.py --reports 300

Migrates the database and loads the demo election, then files ``--reports`` reports through
DRF's test client (no web server), each with a new Idempotency-Key and a detail, as the
observers' phones do. Prints the queries of one submission and the profile's call tree
(functions over 2% of the time), and the median time per report, wall and CPU; with
``--no-profile`` the times without the profiler's own cost.
"""

import argparse
import io
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
from knox.models import AuthToken  # noqa: E402
from pyinstrument import Profiler  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from incidents import services  # noqa: E402
from incidents.models import Observer  # noqa: E402
from incidents.security.backends import DEMO_EMAIL_DOMAIN  # noqa: E402

REPORT = {
    "kind": "detention",
    "region": "KZ-75",
    "occurred_at": "2021-01-10T12:00",
    "description": "People taken from the square into a police bus.",
    "details": {"people_detained": 12, "detained_groups": ["protesters"], "detained_by": "police"},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--no-profile", action="store_true", help="time the reports without the profiler")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    observer = Observer.objects.select_related("user").order_by("pk").first()
    # Demo accounts are refused with debug off (as measured here); this one becomes an ordinary account.
    observer.user.email = observer.user.email.lower().replace(DEMO_EMAIL_DOMAIN, "@observer.test")
    observer.user.save(update_fields=["email"])
    Observer.objects.filter(pk=observer.pk).update(is_demo=False)
    AuthToken.objects.filter(user=observer.user).delete()  # each run issues one; an account holds ten at most
    _row, token = services.api_token_issue(user=observer.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def submit():
        response = client.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        assert response.status_code == 201, (response.status_code, response.content, dict(response.items()))
        return response

    for _ in range(20):  # warm: connection, caches, imports
        submit()
    with CaptureQueriesContext(connection) as captured:
        submit()
    print(f"Queries of one submission ({len(captured)}):")
    for number, query in enumerate(captured.captured_queries, 1):
        print(f"{number:3}. {query['sql'][:150]}")

    times, cpu_times = [], []
    profiler = Profiler(interval=0.0005)
    if not options.no_profile:
        profiler.start()
    for _ in range(options.reports):
        start, cpu_start = time.perf_counter(), time.process_time()
        submit()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    median, cpu = statistics.median(times) * 1000, statistics.median(cpu_times) * 1000
    print(f"\n{options.reports} reports: median {median:.1f} ms each, {cpu:.1f} ms of CPU in this process\n")
    if not options.no_profile:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False, time="percent_of_total"))


if __name__ == "__main__":
    main()
