"""`make faults`: reports keep coming while parts fail; afterwards nothing is lost and nothing is twice.

    make faults
    make faults FAULTS_SECONDS=20

Two app servers (gunicorn, production settings) share a PostgreSQL database
of their own (``FAULTS_DATABASE_URL``, by default ``observer_faults``) and
Redis. Observers' clients (threads of this process) file new reports
through the API, each with a new Idempotency-Key, and retry the same key
and body after any failure (no answer, a reset connection, a 5xx), on the
other server where there is one, until the report is accepted.

1. **PostgreSQL restarted**: a few seconds in, the whole PostgreSQL cluster
   is restarted (``pg_ctlcluster … restart``) under the clients.
2. **An app server killed**: a few seconds in, one of the two servers is
   killed outright (SIGKILL to the master and its workers); it is started
   again a few seconds later.
3. **Two moderators at once**: each through another server, two moderators
   take the same reports at the same moment: claim, verify, publish.

Afterwards the database is read: the reports of each run equal the keys the
clients sent, one report per key, each with its ``submitted`` event and the
reference its client was given; every move a moderator was told succeeded is
in the history, once, and the histories are unbroken chains.

PostgreSQL is restarted for the whole machine: run it where nothing else
needs the database at that moment. Writes the figures between the ``faults``
markers of docs/benchmarks.md and the raw results to
``bench/results/faults.json``.
"""

import argparse
import datetime
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import support

KINDS = [
    ("detention", {"people_detained": 2}),
    ("denied_access", {"person_role": "observer", "methods": ["refused_entry"]}),
    ("internet_blockage", {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp"]}),
    ("other", None),
]
#: when the moderated reports happened (the demo election's day)
ELECTION_MORNING = datetime.datetime(2021, 1, 10, 6, 0, tzinfo=datetime.UTC)
#: a client gives up on one report after this many seconds of failures (none did in our runs)
GIVE_UP_SECONDS = 180


def request(url, *, token, body=None, key=None, timeout=30):
    """``(status, parsed JSON or None)``; ``(error name, None)`` when no answer came."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key is not None:
        headers["Idempotency-Key"] = key
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except ValueError:
            return error.code, None
    except urllib.error.URLError as error:  # no connection: refused, unreachable
        return type(error.reason).__name__, None
    except (OSError, ValueError) as error:  # reset, timed out, cut short
        return type(error).__name__, None


class Submitters:
    """Client threads filing reports until ``stop``, each report retried until accepted."""

    def __init__(self, servers, observers, regions, threads):
        self.servers = servers
        self.observers = observers
        self.regions = regions
        self.threads = threads
        self.run = uuid.uuid4().hex[:10]
        self.turn = itertools.count()
        self.lock = threading.Lock()
        self.sent = []  # (observer index, key, reference, attempts, first failure)
        self.answers = Counter()
        self.gave_up = []
        self.stopping = threading.Event()

    def report(self, number):
        kind, details = KINDS[number % len(KINDS)]
        body = {
            "kind": kind,
            "region": self.regions[number % len(self.regions)],
            "occurred_at": f"2021-01-10T{2 + number % 11:02d}:{number % 60:02d}:00Z",
            "description": f"Report {number} of fault run {self.run}.",
        }
        if details:
            body["details"] = details
        return body

    def client(self, thread_number):
        while not self.stopping.is_set():
            number = next(self.turn)
            observer_index = number % len(self.observers)
            _observer, token = self.observers[observer_index]
            key = f"{self.run}-{number}"
            body = self.report(number)
            started = time.monotonic()
            attempts = 0
            while True:
                server = self.servers[(thread_number + attempts) % len(self.servers)]
                attempts += 1
                status, data = request(f"{server.url}/api/v1/reports/", token=token, body=body, key=key)
                with self.lock:
                    self.answers[str(status)] += 1
                if status in (200, 201):
                    with self.lock:
                        self.sent.append((observer_index, key, data["reference"], attempts))
                    break
                if status in (400, 403, 404, 409):  # a refusal, not a failure: retrying cannot help
                    with self.lock:
                        self.gave_up.append((observer_index, key, status, data))
                    break
                if time.monotonic() - started > GIVE_UP_SECONDS:
                    with self.lock:
                        self.gave_up.append((observer_index, key, status, data))
                    break
                time.sleep(min(0.1 * attempts, 1.0) + random.random() * 0.1)

    def start(self):
        self.workers = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(self.threads)]
        for worker in self.workers:
            worker.start()

    def stop(self):
        self.stopping.set()
        for worker in self.workers:
            worker.join()


def check_reports(submitters, observers):
    """What the database holds for the keys the clients sent."""
    from django.db import connection

    from incidents.api import idempotency
    from incidents.models import EventAction, Incident, IncidentEvent

    connection.close()  # this process's connection did not survive a restart
    tokens = {}
    for observer_index, key, reference, _attempts in submitters.sent:
        observer = observers[observer_index][0]
        tokens[idempotency.client_token(observer, key)] = reference
    for observer_index, key, *_rest in submitters.gave_up:
        tokens.setdefault(idempotency.client_token(observers[observer_index][0], key), None)
    found = dict(Incident.objects.filter(client_token__in=list(tokens)).values_list("client_token", "reference"))
    run_reports = Incident.objects.filter(description__endswith=f"of fault run {submitters.run}.")
    submitted_events = Counter(
        IncidentEvent.objects.filter(incident__in=run_reports, action=EventAction.SUBMITTED).values_list(
            "incident_id", flat=True
        )
    )
    accepted = [token for token, reference in tokens.items() if reference is not None]
    return {
        "keys": len(tokens),
        "accepted": len(accepted),
        "reports_in_database": run_reports.count(),
        "lost": sum(1 for token in accepted if token not in found),
        "reference_differs": sum(1 for token in accepted if token in found and found[token] != tokens[token]),
        "without_submitted_event": sum(
            1 for pk in run_reports.values_list("pk", flat=True) if not submitted_events[pk]
        ),
        "events_twice": sum(1 for count in submitted_events.values() if count > 1),
        "retried": sum(1 for *_start, attempts in submitters.sent if attempts > 1),
        "most_attempts": max((attempts for *_start, attempts in submitters.sent), default=0),
        "answers": dict(submitters.answers),
        "gave_up": len(submitters.gave_up),
    }


def fault_run(name, servers, observers, regions, options, fault):
    print(f"== {name}")
    submitters = Submitters(servers, observers, regions, options.clients)
    submitters.start()
    started = time.monotonic()
    time.sleep(options.fault_after)
    print(f"  {fault.__doc__}")
    fault_started = time.monotonic()
    fault()
    fault_seconds = time.monotonic() - fault_started
    time.sleep(max(0.0, options.seconds - (time.monotonic() - started)))
    submitters.stop()
    for server in servers:
        server.wait_healthy(60)
    result = check_reports(submitters, observers)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["fault_seconds"] = round(fault_seconds, 1)
    print(
        f"  {result['keys']:,} keys, {result['reports_in_database']:,} reports in the database, "
        f"{result['lost']} lost, {result['retried']} retried (at most {result['most_attempts']} tries), "
        f"answers {result['answers']}"
    )
    return result


def restart_postgres():
    """Restarting PostgreSQL (the whole cluster, fast mode: open transactions are rolled back)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"], check=True)


def moderators(count):
    """``count`` moderators with one fresh API token each."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from knox.models import AuthToken

    User = get_user_model()
    group = Group.objects.get(name="Moderator")
    result = []
    for number in range(count):
        user, _created = User.objects.get_or_create(
            username=f"faults-moderator-{number}", defaults={"is_staff": True, "password": "!"}
        )
        group.user_set.add(user)
        AuthToken.objects.filter(user=user).delete()
        result.append((user, support.api_token(user)))
    return result


def moderation_run(servers, observers, regions, options):
    """Two moderators, each through another server, take the same reports at the same moment."""
    from django.db import connection

    from incidents import selectors, services
    from incidents.models import EventAction, Incident, IncidentEvent, IncidentKind, Region

    print("== Two moderators on the same reports, through two servers")
    connection.close()
    election = selectors.election_current()
    region_objects = {region.code: region for region in Region.objects.filter(code__in=regions)}
    run = uuid.uuid4().hex[:10]
    incidents = []
    for number in range(options.moderated):
        observer = observers[number % len(observers)][0]
        incidents.append(
            services.incident_submit(
                reporter=observer,
                election=election,
                kind=IncidentKind.OTHER,
                region=region_objects[regions[number % len(regions)]],
                occurred_at=ELECTION_MORNING,
                occurred_precision="exact",
                description=f"Moderated report {number} of fault run {run}.",
                client_token=f"faults-{run}-{number}",
            ).incident
        )
    staff = moderators(2)
    moves = [
        ("in_review", {}),
        ("verified", {"verification": "corroborated"}),
        ("published", {"public_summary": "Observers were kept out of the count."}),
    ]
    succeeded = Counter()  # (reference, moderator username) -> moves the API said were made
    answers = Counter()
    lock = threading.Lock()

    def work(reference, moderator_index):
        user, token = staff[moderator_index]
        server = servers[moderator_index % len(servers)]
        for to, extra in moves:
            status, _data = request(
                f"{server.url}/api/v1/moderation/incidents/{reference}/transition/",
                token=token,
                body={"to": to, **extra},
            )
            with lock:
                answers[str(status)] += 1
                if status == 200:
                    succeeded[(reference, user.username)] += 1
            if status != 200:
                break

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2 * options.clients) as pool:
        futures = []
        for incident in incidents:
            for moderator_index in (0, 1):
                futures.append(pool.submit(work, incident.reference, moderator_index))
        for future in futures:
            future.result()
    seconds = time.monotonic() - started

    connection.close()
    lost = double = broken = 0
    claimed_by_both = 0
    for incident in Incident.objects.filter(pk__in=[incident.pk for incident in incidents]):
        events = list(
            IncidentEvent.objects.filter(incident=incident)
            .exclude(action=EventAction.SUBMITTED)
            .order_by("created_at", "id")
            .select_related("actor")
        )
        told = {name: count for (reference, name), count in succeeded.items() if reference == incident.reference}
        recorded = Counter(event.actor.username for event in events if event.to_status)
        for name in set(told) | set(recorded):
            if recorded[name] < told.get(name, 0):
                lost += 1
            elif recorded[name] > told.get(name, 0):
                double += 1
        claimed_by_both += len([e for e in events if e.action == EventAction.CLAIMED]) > 1
        status = "submitted"
        for event in events:
            if event.from_status and event.from_status != status:
                broken += 1
            status = event.to_status or status
        if status != incident.status:
            broken += 1
    result = {
        "reports": len(incidents),
        "seconds": round(seconds, 1),
        "moves_made": sum(succeeded.values()),
        "answers": dict(answers),
        "lost": lost,
        "recorded_twice": double,
        "broken_chains": broken,
        "claimed_twice": claimed_by_both,
        "published": Incident.objects.filter(pk__in=[i.pk for i in incidents], status="published").count(),
    }
    print(
        f"  {result['moves_made']} moves made on {result['reports']} reports, answers {result['answers']}; "
        f"{lost} lost, {double} recorded twice, {broken} broken histories"
    )
    return result


def markdown(options, results):
    def row(name, run):
        answers = ", ".join(f"{status}: {count:,}" for status, count in sorted(run["answers"].items()))
        return (
            f"| {name} | {run['seconds']} s ({run['fault_seconds']} s of fault) | {run['keys']:,} | "
            f"{run['reports_in_database']:,} | {run['lost']} | {run['events_twice']} | "
            f"{run['without_submitted_event']} | {run['reference_differs']} | {run['retried']:,} "
            f"(up to {run['most_attempts']} tries) | {answers} |"
        )

    moderation = results["moderation"]
    return "\n".join(
        [
            "## Faults: `make faults`",
            "",
            f"Measured {results['finished']} by `{results['command']}`.",
            "",
            *(f"- {line}" for line in results["machine"]),
            f"- two gunicorn servers ({options.workers} workers × 4 threads each) on one PostgreSQL and one "
            f"Redis; {options.clients} client threads filing reports through the API, each with its own "
            "Idempotency-Key, every failure retried with the same key and body on the other server",
            "",
            "| run | time | keys sent | reports in the database | lost | twice | without their `submitted` "
            "event | reference not the one the client was given | retried | answers the clients saw |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            row("PostgreSQL restarted", results["postgres_restart"]),
            row("one app server killed, started again", results["server_killed"]),
            "",
            f"Two moderators, each through another server, on the same {moderation['reports']} reports at the "
            "same moment (claim, verify, publish; the one refused stops):",
            "",
            "| moves the API said were made | moves not in the history | moves recorded twice | broken "
            "histories | reports claimed twice | published | answers | time |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
            f"| {moderation['moves_made']} | {moderation['lost']} | {moderation['recorded_twice']} | "
            f"{moderation['broken_chains']} | {moderation['claimed_twice']} | {moderation['published']} | "
            + ", ".join(f"{status}: {count}" for status, count in sorted(moderation["answers"].items()))
            + f" | {moderation['seconds']} s |",
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FAULTS_SECONDS") or 40))
    parser.add_argument("--fault-after", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--observers", type=int, default=1000)
    parser.add_argument("--moderated", type=int, default=200)
    parser.add_argument("--ports", default="8082,8083")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FAULTS_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/observer_faults",
    )
    parser.add_argument("--redis-url", default=os.environ.get("FAULTS_REDIS_URL") or "redis://127.0.0.1:6379/11")
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave docs/benchmarks.md")
    options = parser.parse_args()

    print(f"== Preparing {options.database_url}")
    support.prepare_database(options.database_url, options.redis_url)
    support.setup_django(options.database_url, options.redis_url)
    from incidents.models import Region

    regions = sorted(Region.objects.filter(latitude__isnull=False).values_list("code", flat=True))
    print(f"== {options.observers:,} observers with API tokens")
    observers = support.bench_observers(options.observers, prefix="faults-observer")
    logs = support.ROOT / "bench" / "results"
    logs.mkdir(exist_ok=True)
    env = support.server_environment(options.database_url, options.redis_url)
    ports = [int(port) for port in options.ports.split(",")]
    servers = [
        support.Server(port, env, logs / f"faults-{port}.log", GUNICORN_WORKERS=options.workers) for port in ports
    ]
    results = {
        "command": "make faults" + (f" FAULTS_SECONDS={options.seconds}" if options.seconds != 40 else ""),
        "machine": support.machine(options.database_url),
    }
    for server in servers:
        server.start()
    try:
        results["postgres_restart"] = fault_run(
            "PostgreSQL restarted under the clients", servers, observers, regions, options, restart_postgres
        )

        def kill_and_restart():
            """Killing one app server outright (SIGKILL, master and workers); starting it again 5 s later."""
            servers[0].kill()
            time.sleep(5)
            servers[0].start()

        results["server_killed"] = fault_run(
            "One app server killed under the clients", servers, observers, regions, options, kill_and_restart
        )
        results["moderation"] = moderation_run(servers, observers, regions, options)
    finally:
        for server in servers:
            server.stop()
    results["finished"] = time.strftime("%Y-%m-%d")
    support.dump(logs / "faults.json", results)
    text = markdown(options, results)
    print()
    print(text)
    failed = [
        name
        for name in ("postgres_restart", "server_killed")
        if results[name]["lost"]
        or results[name]["events_twice"]
        or results[name]["without_submitted_event"]
        or results[name]["reference_differs"]
        or results[name]["gave_up"]
        or results[name]["reports_in_database"] != results[name]["accepted"]
    ]
    moderation = results["moderation"]
    if moderation["lost"] or moderation["recorded_twice"] or moderation["broken_chains"] or moderation["claimed_twice"]:
        failed.append("moderation")
    if not options.no_write:
        support.write_section("faults", text)
    if failed:
        raise SystemExit(f"Lost or doubled work in: {', '.join(failed)}")


if __name__ == "__main__":
    main()
