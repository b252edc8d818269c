"""SMS reports under load: signed webhook posts through gunicorn on PostgreSQL, driven by wrk.

    make bench-sms        # or: .venv/bin/python bench/sms.py [--seconds 20] [--observers 3000]

Uses its own database (``obs_sms_bench`` by default, created and migrated here, the demo election
loaded) and Redis database 13 for the cache and the per-observer limit, which stays on. It measures:

1. the ceiling of the same run: the cheapest Django answer (``/bench/ceiling/``), every middleware;
2. messages accepted per second: every request a new message from one of the observers' phones
   (``D <station> <n> P A``), each made into a report; then the database is checked: one message row
   and one report per message sent, none doubled;
3. the same while one message is replayed in a storm by a second wrk beside it: the storm makes one
   message row and one report, and every one of its answers is the same;
4. parse time per message: the pure parser over the 131 messages of tests/sms/test_parser.py.

The figures go to docs/benchmarks.md (section "sms") with the machine and the command.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import support

SECRET = "bench-only-sms-secret"
CONNECTIONS = 32
THREADS = 2


def wrk(url, script, *, seconds, connections, threads=1, env=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["-s", str(support.ROOT / "bench" / "wrk" / script), url]
    result = subprocess.run(
        command, cwd=support.ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=True
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            figures = json.loads(line.removeprefix("BENCH_RESULT "))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            figures["errors"] = sum(
                figures[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
            )
            return figures
    raise SystemExit(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")


def sms_observers(count):
    """``count`` observers with invented phone numbers (+7 709 ...), made once and kept."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from incidents.models import Observer, ObserverKind

    User = get_user_model()
    names = [f"bench-sms-{number:05d}" for number in range(count)]
    with transaction.atomic():
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        User.objects.bulk_create([User(username=name, password="!") for name in names if name not in existing])
        users = list(User.objects.filter(username__in=names).order_by("username"))
        Group.objects.get(name="Observer").user_set.add(*users)
        have = set(Observer.objects.filter(user__in=users).values_list("user_id", flat=True))
        Observer.objects.bulk_create(
            [
                Observer(user=user, kind=ObserverKind.INDEPENDENT, phone=f"+7709{number:07d}", is_demo=True)
                for number, user in enumerate(users)
                if user.pk not in have
            ]
        )
    return list(Observer.objects.filter(user__in=users).values_list("phone", flat=True))


def signed_messages(path, phones, stations, count, run):
    """Write ``count`` signed generic-webhook bodies, each a new message id, phones taken in turn."""
    from incidents.sms.gateways import GenericJsonGateway

    with open(path, "w") as out:
        for number in range(count):
            text = f"D {stations[number % len(stations)]} {1 + number % 97} P A run {run} message {number}"
            body = json.dumps({"id": f"{run}-{number}", "from": phones[number % len(phones)], "text": text})
            out.write(f"{GenericJsonGateway.sign(SECRET, body.encode())}\t{body}\n")


def counted(run):
    """Message rows of the run, how many made a report, and the reports (SMS incidents) they point to."""
    from incidents.models import SmsMessage, SmsStatus

    messages = SmsMessage.objects.filter(gateway_message_id__startswith=f"{run}-")
    made = messages.filter(status=SmsStatus.REPORT_MADE)
    return {
        "messages": messages.count(),
        "reports_made": made.count(),
        "distinct_reports": made.values("incident").distinct().count(),
        "inbox": messages.filter(status=SmsStatus.INBOX).count(),
    }


def settled(run):
    """``counted(run)`` once the requests in flight when wrk stopped have finished (equal a second apart)."""
    before = counted(run)
    while True:
        time.sleep(1)
        now = counted(run)
        if now == before:
            return now
        before = now


def incidents_from(run):
    from incidents.models import Incident

    return Incident.objects.filter(description__contains=f"run {run} ").count()


def parse_time(repeat=200):
    from incidents.sms.parser import parse
    from tests.sms.test_parser import CASES, PLACES

    texts = [text for text, _ in CASES]
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            parse(text, PLACES)
    return (time.perf_counter() - start) / (repeat * len(texts)) * 1e6


def accepted(figures):
    return figures["statuses"].get("200", 0)


def markdown(options, results):
    flood, storm, beside = results["flood"], results["storm"], results["storm_flood"]
    ceiling = results["ceiling"]["rps"]
    rate = accepted(flood) / (flood["duration_us"] / 1e6)
    beside_rate = accepted(beside) / (beside["duration_us"] / 1e6)
    check = results["flood_db"]
    check_beside = results["storm_flood_db"]
    goal = "met" if rate >= 300 and flood["errors"] == 0 and results["flood_doubled"] == 0 else "**not met**"
    lines = [
        "## SMS reports (`make bench-sms`)",
        "",
        f"Measured {results['finished']} with `{results['command']}`: gunicorn ({results['workers']} workers × "
        f"{results['threads']} threads) on PostgreSQL, Redis for the cache and the per-observer limit, wrk "
        f"{results['wrk']} with {CONNECTIONS} connections in {THREADS} threads, {options.seconds} s a run, "
        f"{results['observers']:,} observers' phones, every message signed (HMAC-SHA256) and new unless said.",
        "",
        *[f"- {line}" for line in results["machine"]],
        f"- load average (1 min) at the start and the end: {results['load_before']} and {results['load_after']} "
        "(other work on the machine shows here: the ceiling falls with it)",
        "",
        "| run | answers per second | share of the ceiling | p95 | errors | checked in the database |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        f"| ceiling (`/bench/ceiling/`, no database) | {ceiling:,.0f} | 100% | "
        f"{ceiling and results['ceiling']['p95_us'] / 1000:.1f} ms | {results['ceiling']['errors']} | — |",
        f"| new messages, each a report | {rate:,.0f} | {rate / ceiling:.0%} | {flood['p95_us'] / 1000:.1f} ms | "
        f"{flood['errors']} | {check['messages']:,} messages for {accepted(flood):,} answers, "
        f"{check['reports_made']:,} reports made, {results['flood_doubled']} doubled |",
        f"| new messages while one is replayed beside them | {beside_rate:,.0f} | {beside_rate / ceiling:.0%} | "
        f"{beside['p95_us'] / 1000:.1f} ms | {beside['errors']} | {check_beside['messages']:,} messages, "
        f"{check_beside['reports_made']:,} reports, {results['storm_flood_doubled']} doubled |",
        f"| the replayed message (storm) | {storm['rps']:,.0f} | {storm['rps'] / ceiling:.0%} | "
        f"{storm['p95_us'] / 1000:.1f} ms | {storm['errors']} | {results['storm_db']['messages']} message row, "
        f"{results['storm_incidents']} report for {accepted(storm):,} deliveries; answers that differ: "
        f"{storm['statuses'].get('differs', 0)} |",
        "",
        f"Goal: 300 new messages a second or more, 0 errors, 0 doubled — {goal}. A message that is accepted is "
        "stored, parsed and made into a report through `incident_submit` (the web form's service) in one "
        'transaction before the answer is sent; the reference is in the answer. "Doubled" counts reports '
        "of the run beyond one per message, once the requests in flight have finished. The replayed message "
        "needs one query, so its rate is set by the queue of new messages ahead of it in the same server.",
        "",
        f"Parse time per message (the pure parser over the {results['parse_cases']} messages of "
        f"tests/sms/test_parser.py, in one process): {results['parse_us']:.1f} µs.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS") or 20))
    parser.add_argument("--observers", type=int, default=6000)
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/obs_sms_bench",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/13")
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave docs/benchmarks.md")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench-sms does it)")

    print(f"== Preparing {options.database_url}")
    support.prepare_database(options.database_url, options.redis_url)
    os.environ["OBSERVER_SMS_GENERIC_SECRET"] = SECRET
    support.setup_django(options.database_url, options.redis_url)
    from django.core.cache import cache

    from incidents.models import PollingStation

    phones = sms_observers(options.observers)
    stations = list(PollingStation.objects.filter(election__is_current=True).values_list("number", flat=True))
    work = Path(tempfile.mkdtemp(prefix="observer-bench-sms-"))
    logs = support.ROOT / "bench" / "results"
    logs.mkdir(exist_ok=True)
    (work / "ceiling.txt").write_text("/bench/ceiling/\n")
    # Enough for the longest run at well above the goal; a thread that ran out would start replaying.
    per_run = max(20_000, options.seconds * 1500)
    runs = {name: uuid.uuid4().hex[:10] for name in ("flood", "storm_flood", "storm")}
    for name, run in runs.items():
        signed_messages(work / f"{name}.txt", phones, stations, 1 if name == "storm" else per_run, run)
    cache.clear()

    env = support.server_environment(options.database_url, options.redis_url, OBSERVER_SMS_GENERIC_SECRET=SECRET)
    results = {
        "command": "make bench-sms",
        "machine": support.machine(options.database_url),
        "wrk": support.command_version("wrk", "-v").split(" [")[0].removeprefix("wrk ").strip(),
        "observers": len(phones),
    }
    results["load_before"] = Path("/proc/loadavg").read_text().split()[0]
    server = support.Server(options.port, env, logs / "gunicorn-sms.log", GUNICORN_TIMEOUT=600)
    common = {"seconds": options.seconds, "connections": CONNECTIONS, "threads": THREADS}
    with server:
        results["workers"] = len(server.workers())
        results["threads"] = int(server.env.get("GUNICORN_THREADS") or 4)
        print("== Ceiling")
        results["ceiling"] = wrk(server.url, "paths.lua", **common, env={"BENCH_PATHS": str(work / "ceiling.txt")})
        print(f"  {results['ceiling']['rps']:,.0f}/s")
        print("== New messages")
        flood_env = {"BENCH_MESSAGES": str(work / "flood.txt"), "BENCH_THREADS": str(THREADS)}
        results["flood"] = wrk(server.url, "sms.lua", **common, env=flood_env)
        results["flood_db"] = settled(runs["flood"])
        results["flood_doubled"] = incidents_from(runs["flood"]) - results["flood_db"]["distinct_reports"]
        print(f"  {results['flood']['statuses']} {results['flood_db']} doubled {results['flood_doubled']}")
        print("== New messages beside a storm of one replayed message")
        storm_env = {"BENCH_MESSAGES": str(work / "storm.txt"), "BENCH_STORM": "1", "BENCH_THREADS": "1"}
        storm_command = [
            "wrk", "-t1", f"-c{CONNECTIONS // 2}", f"-d{options.seconds}s", "--timeout", "30s",
            "-s", str(support.ROOT / "bench" / "wrk" / "sms.lua"), server.url,
        ]  # fmt: skip
        storm = subprocess.Popen(
            storm_command, cwd=support.ROOT, env={**os.environ, **storm_env}, stdout=subprocess.PIPE, text=True
        )
        beside_env = {"BENCH_MESSAGES": str(work / "storm_flood.txt"), "BENCH_THREADS": str(THREADS)}
        results["storm_flood"] = wrk(server.url, "sms.lua", **common, env=beside_env)
        out, _ = storm.communicate()
        line = next(line for line in out.splitlines() if line.startswith("BENCH_RESULT "))
        figures = json.loads(line.removeprefix("BENCH_RESULT "))
        figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
        figures["errors"] = sum(
            figures[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        )
        results["storm"] = figures
        results["storm_db"] = settled(runs["storm"])
        results["storm_incidents"] = incidents_from(runs["storm"])
        results["storm_flood_db"] = settled(runs["storm_flood"])
        results["storm_flood_doubled"] = (
            incidents_from(runs["storm_flood"]) - results["storm_flood_db"]["distinct_reports"]
        )
        print(f"  storm {figures['statuses']} {results['storm_db']}; beside {results['storm_flood']['statuses']}")
    results["load_after"] = Path("/proc/loadavg").read_text().split()[0]
    results["parse_us"] = parse_time()
    from tests.sms.test_parser import CASES

    results["parse_cases"] = len(CASES)
    results["finished"] = time.strftime("%Y-%m-%d")
    shutil.rmtree(work, ignore_errors=True)
    support.dump(logs / "sms.json", results)
    text = markdown(options, results)
    print()
    print(text)
    if not options.no_write:
        support.write_section("sms", text)


if __name__ == "__main__":
    main()
