"""`make bench`: the site under load, as on election day, against PostgreSQL and Redis.

    make bench                          # 100,000 published incidents
    make bench BENCH_INCIDENTS=20000 BENCH_SECONDS=5

1. Prepares a PostgreSQL database of its own (``BENCH_DATABASE_URL``, by
   default ``observer_bench``): migrations, the demo election and
   ``--incidents`` published incidents (``seed_incidents``, with a progress
   bar; a second run adds only what is missing), and observers with API
   tokens for the submission run.
2. Starts gunicorn with the production settings (``observer/gunicorn.py``:
   two workers per core, four threads each), the cache in Redis
   (``BENCH_REDIS_URL``), and drives it from a separate process with wrk on
   loopback: every page first with one client at a time (latency), then
   with 16 connections (throughput and latency under load). Beside them a
   minimal Django view (``bench/urls.py``), the ceiling of the stack here;
   each throughput is also given as a share of it.
3. Twice: once with the page cache off (every page built for every request,
   with the parts many pages share, incident cards and counts, kept in Redis
   as in production: ``OBSERVER_PUBLIC_PARTS_SECONDS``), once with it on
   (anonymous pages served from Redis).
4. Observers file new reports through the API for ``--submit-seconds``
   (default 60), each with its own Idempotency-Key; afterwards the reports in
   the database are counted against the answers. Once with each thread
   keeping its own database connection (the default), once more with a pool
   per process (``DJANGO_DB_POOL``), to measure one against the other.
5. The CSV export of every published incident, read to the end, with the
   workers' memory before and after.

Writes the figures between the ``load`` markers of docs/benchmarks.md and
the raw results to ``bench/results/load.json``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import support

CONNECTIONS = 16
LOAD_THREADS = 2
#: pages as the public reach them: (name, what the paths are)
PAGES = ["ceiling", "list", "incident", "region", "home", "api_list"]
LABELS = {
    "ceiling": "ceiling: minimal Django view",
    "list": "incident list, filtered",
    "incident": "incident page",
    "region": "region page",
    "home": "overview (home)",
    "api_list": "API incident list, filtered",
}
#: connections in each app process's pool, in the run that measures new reports through a pool:
#: one per thread, as many as the threads keep without one
POOL_SIZE = 4
#: pages measured with the cache on
CACHED_PAGES = ["ceiling", "list", "incident", "region", "home"]


def paths_for(regions, references):
    """The paths wrk asks for, per page: several filters and many incidents, as real visitors would."""
    kinds = ["detention", "denied_access", "internet_blockage", "procedural"]
    lists = []
    for index, code in enumerate(regions):
        kind = kinds[index % len(kinds)]
        lists.append(f"/incidents/?region={code}&kind={kind}")
        lists.append(f"/incidents/?kind={kind}&verification=confirmed&page=2")
        lists.append(f"/incidents/?region={code}&date_from=2021-01-10&date_to=2021-01-10")
    api = [f"/api/v1/incidents/?region={code}&kind={kinds[i % len(kinds)]}" for i, code in enumerate(regions)]
    api += [f"/api/v1/incidents/?kind={kind}" for kind in kinds]
    return {
        "ceiling": ["/bench/ceiling/"],
        "list": lists,
        "incident": [f"/incidents/{reference}/" for reference in references],
        "region": [f"/regions/{code}/" for code in regions],
        "home": ["/"],
        "api_list": api,
    }


def wrk(url, script, *, seconds, connections, threads=1, env=None):
    """Run wrk; its result line as a dict."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(support.ROOT / "bench" / "wrk" / script),
        url,
    ]
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


#: seconds of load before each measure, so that every worker and thread has answered already
WARM_SECONDS = 2
#: tries of each path while warming, when the answer is "busy, try again" (429 or 503)
WARM_TRIES = 5


def warm_up(server, paths_file):
    """Ask for every path once (four at a time): the workers, PostgreSQL's buffers and, with the
    cache on, the cache hold what a busy site would hold. Each request names an address of its
    own (read only behind a proxy, as the flood's server is), as many readers would. Then
    WARM_SECONDS at full load: a worker loads the rest of Django at its first requests (a page
    with one path, the ceiling, would otherwise be measured while three of four workers start)."""
    paths = paths_file.read_text().split()

    def fetch(path):
        reader = f"198.51.100.{hash(path) % 250 + 1}"
        request = urllib.request.Request(server.url + path, headers={"X-Forwarded-For": reader})
        for attempt in range(WARM_TRIES):
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    response.read()
                return
            except urllib.error.HTTPError as error:
                # 429/503 with Retry-After: the page's build waited its turn too long (a slow
                # moment of the machine); a reader's browser would ask again, and so does this.
                if error.code not in (429, 503) or attempt + 1 == WARM_TRIES:
                    raise
                time.sleep(float(error.headers.get("Retry-After") or 1))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, paths))
    wrk(
        server.url,
        "paths.lua",
        seconds=WARM_SECONDS,
        connections=CONNECTIONS,
        threads=LOAD_THREADS,
        env={"BENCH_PATHS": str(paths_file)},
    )


def measure_pages(server, pages, paths_files, seconds):
    results = {}
    for page in pages:
        env = {"BENCH_PATHS": str(paths_files[page])}
        warm_up(server, paths_files[page])
        one = wrk(server.url, "paths.lua", seconds=seconds, connections=1, env=env)
        load = wrk(server.url, "paths.lua", seconds=seconds, connections=CONNECTIONS, threads=LOAD_THREADS, env=env)
        results[page] = {"one": one, "load": load}
        print(
            f"  {LABELS[page]:<32} one client p95 {one['p95_us'] / 1000:7.1f} ms · "
            f"{CONNECTIONS} connections {load['rps']:7.0f}/s p95 {load['p95_us'] / 1000:7.1f} ms · "
            f"errors {one['errors'] + load['errors']}"
        )
    return results


#: readers of cached pages during the flood, beside the flooding client's connections
FLOOD_READERS = 4


def measure_flood(server, paths_files, regions, seconds):
    """One client floods the list with random filters (every one a page to build) at CONNECTIONS
    connections while other readers ask for cached pages: the readers' latency, and what the
    flood was answered."""
    readers_paths = paths_files["flood_readers"]
    readers_paths.write_text("".join(paths_files[page].read_text() for page in ("list", "incident", "region", "home")))
    warm_up(server, readers_paths)
    command = [
        "wrk",
        f"-t{LOAD_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(support.ROOT / "bench" / "wrk" / "flood.lua"),
        server.url,
    ]
    flood = subprocess.Popen(
        command,
        cwd=support.ROOT,
        env={**os.environ, "BENCH_REGIONS": ",".join(regions)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)  # the flood under way before the readers start
    readers = wrk(
        server.url,
        "paths.lua",
        seconds=max(1, seconds - 2),
        connections=FLOOD_READERS,
        env={"BENCH_PATHS": str(readers_paths)},
    )
    out, err = flood.communicate(timeout=seconds + 60)
    flooded = None
    for line in out.splitlines():
        if line.startswith("BENCH_RESULT "):
            flooded = json.loads(line.removeprefix("BENCH_RESULT "))
            flooded["rps"] = flooded["requests"] / (flooded["duration_us"] / 1e6)
    if flooded is None:
        raise SystemExit(f"the flood's wrk printed no result:\n{out}\n{err}")
    print(
        f"  readers of cached pages during a random-filter flood: p95 {readers['p95_us'] / 1000:.1f} ms, "
        f"errors {readers['errors']}; the flood: {flooded['rps']:.0f}/s, answers {flooded['statuses']}"
    )
    return {"readers": readers, "flood": flooded}


def measure_submissions(server, tokens_file, regions, seconds, observers):
    from incidents.models import Incident

    env = {
        "BENCH_TOKENS": str(tokens_file),
        "BENCH_REGIONS": ",".join(regions),
        "BENCH_THREADS": str(LOAD_THREADS),
    }
    # Every worker and thread files a few reports first: the first ones of a new process load the
    # API's code (about a third fewer reports a second in the first run after a start, measured).
    wrk(
        server.url,
        "submit.lua",
        seconds=WARM_SECONDS,
        connections=CONNECTIONS,
        threads=LOAD_THREADS,
        env={**env, "BENCH_RUN": uuid.uuid4().hex[:12]},
    )
    time.sleep(1)  # the warm-up's last reports committed before counting
    run = uuid.uuid4().hex[:12]
    env["BENCH_RUN"] = run
    started = time.time()
    before = Incident.objects.filter(reporter__in=observers).count()
    figures = wrk(server.url, "submit.lua", seconds=seconds, connections=CONNECTIONS, threads=LOAD_THREADS, env=env)
    filed = Incident.objects.filter(reporter__in=observers).count() - before
    figures["filed_in_database"] = filed
    figures["created_201"] = figures["statuses"].get("201", 0)
    figures["accepted_per_second"] = figures["created_201"] / (figures["duration_us"] / 1e6)
    figures["wall_seconds"] = time.time() - started
    print(
        f"  new reports: {figures['created_201']:,} accepted ({figures['accepted_per_second']:.0f}/s), "
        f"{filed:,} in the database, answers {figures['statuses']}, errors {figures['errors']}"
    )
    return figures


def measure_export(server, runs):
    results = []
    for _ in range(runs):
        before = server.worker_rss_mib()
        started = time.perf_counter()
        size = rows = 0
        with urllib.request.urlopen(f"{server.url}/incidents/export.csv", timeout=600) as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
                rows += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        after = server.worker_rss_mib()
        results.append(
            {
                "seconds": elapsed,
                "bytes": size,
                "rows": rows - 1,
                "rss_before_mib": before,
                "rss_after_mib": after,
                "largest_growth_mib": max((a - b for a, b in zip(after, before, strict=False)), default=0),
            }
        )
        print(
            f"  CSV export: {rows - 1:,} rows, {size / 1e6:.1f} MB in {elapsed:.1f} s; "
            f"largest worker growth {results[-1]['largest_growth_mib']:.1f} MiB"
        )
    return results


def ms(microseconds):
    return f"{microseconds / 1000:.1f}"


def page_table(results, ceiling_rps):
    lines = [
        f"| page | one client: p50 / p95 / p99 ms | {CONNECTIONS} connections: requests/s | p50 / p95 / p99 ms "
        "| share of ceiling | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page, figures in results.items():
        one, load = figures["one"], figures["load"]
        lines.append(
            f"| {LABELS[page]} | {ms(one['p50_us'])} / {ms(one['p95_us'])} / {ms(one['p99_us'])} "
            f"| {load['rps']:,.0f} | {ms(load['p50_us'])} / {ms(load['p95_us'])} / {ms(load['p99_us'])} "
            f"| {load['rps'] / ceiling_rps:.0%} | {one['errors'] + load['errors']} |"
        )
    return "\n".join(lines)


def verdict(met):
    return "met" if met else "**missed**"


def markdown(options, results):
    uncached, cached = results["uncached"], results["cached"]
    submit, export = results["submissions"], results["export"]
    list_p95 = uncached["list"]["one"]["p95_us"] / 1000
    ceiling = cached["ceiling"]["load"]["rps"]
    cached_shares = {page: cached[page]["load"]["rps"] / ceiling for page in CACHED_PAGES if page != "ceiling"}
    uncached_ceiling = uncached["ceiling"]["load"]["rps"]
    uncached_shares = {page: uncached[page]["load"]["rps"] / uncached_ceiling for page in PAGES if page != "ceiling"}
    readers, flood = results["flood"]["readers"], results["flood"]["flood"]
    growth = max(run["largest_growth_mib"] for run in export)
    submit_ok = submit["accepted_per_second"] >= 200 and submit["errors"] == 0
    lines = [
        "## Load: `make bench`",
        "",
        f"Measured {results['finished']} by `{results['command']}`.",
        "",
        *(f"- {line}" for line in results["machine"]),
        f"- {results['published']:,} published incidents in the demo election ({results['incidents_total']:,} "
        "incidents in all); gunicorn with the production settings: "
        f"{results['workers']} workers × {results['threads']} threads; wrk {results['wrk']} "
        f"on the same machine, {options.seconds} s per measure",
        "",
        "### Page cache off: every page built for every request",
        "",
        "The parts many pages share (incident cards, incident counts, the PVT box) come from the cache, "
        "as in production (`OBSERVER_PUBLIC_PARTS_SECONDS`); everything else is read from the database "
        "and rendered for each request.",
        "",
        page_table(uncached, uncached["ceiling"]["load"]["rps"]),
        "",
        "### Cache on (Redis): anonymous pages as a news story's readers get them",
        "",
        page_table(cached, cached["ceiling"]["load"]["rps"]),
        "",
        "### New reports through the API",
        "",
        f"{CONNECTIONS} connections for {options.submit_seconds} s, {results['observers']:,} observers taking "
        "turns (each under the limit of new reports per minute), a new Idempotency-Key for each report:",
        "",
        "| database connections | accepted (201) | per second | p50 / p95 / p99 ms | other answers | errors "
        "| reports in the database (with those in flight when wrk stopped) |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
        *(
            f"| {label} | {run['created_201']:,} | {run['accepted_per_second']:.0f} | {ms(run['p50_us'])} / "
            f"{ms(run['p95_us'])} / {ms(run['p99_us'])} | "
            f"{', '.join(f'{k}: {v}' for k, v in run['statuses'].items() if k != '201') or 'none'} "
            f"| {run['errors']} | {run['filed_in_database']:,} |"
            for label, run in (
                ("one kept per thread (`DJANGO_CONN_MAX_AGE=60`, the default)", submit),
                (f"a pool of {POOL_SIZE} per process (`DJANGO_DB_POOL={POOL_SIZE}`)", results["submissions_pool"]),
            )
        ),
        "",
        "### CSV export of every published incident",
        "",
        "| run | rows | MB | seconds | largest worker RSS before → after |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, run in enumerate(export, 1):
        before, after = max(run["rss_before_mib"], default=0), max(run["rss_after_mib"], default=0)
        lines.append(
            f"| {number} | {run['rows']:,} | {run['bytes'] / 1e6:.1f} | {run['seconds']:.1f} "
            f"| {before:.0f} → {after:.0f} MiB |"
        )

    def rss(key):
        return ", ".join(f"{value:.0f}" for value in results[key])

    lines += [
        "",
        f"Memory (RSS) of each worker at the end: {rss('worker_rss_uncached_mib')} MiB after the cache-off run "
        f"(pages, new reports, exports); {rss('worker_rss_cached_mib')} MiB after the cache-on run.",
        "",
        "### A random-filter flood beside readers of cached pages",
        "",
        f"One client sends random filter combinations (each a page to build) on {CONNECTIONS} connections "
        f"while {FLOOD_READERS} readers ask for cached list, incident, region and overview pages, "
        f"{options.seconds} s:",
        "",
        "| who | requests/s | p50 / p95 / p99 ms | answers |",
        "| --- | ---: | ---: | --- |",
        f"| readers of cached pages | {readers['rps']:,.0f} | {ms(readers['p50_us'])} / {ms(readers['p95_us'])} / "
        f"{ms(readers['p99_us'])} | errors {readers['errors']} |",
        f"| the flooding client | {flood['rps']:,.0f} | {ms(flood['p50_us'])} / {ms(flood['p95_us'])} / "
        f"{ms(flood['p99_us'])} | " + ", ".join(f"{k}: {v:,}" for k, v in sorted(flood["statuses"].items())) + " |",
        "",
        "### Against the targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| list page p95 under 25 ms, uncached, {results['published']:,} published | {list_p95:.1f} ms "
        f"(one client) | {verdict(list_p95 < 25)} |",
        "| every cached public page at 80% or more of the ceiling's throughput | "
        + ", ".join(f"{LABELS[page]} {share:.0%}" for page, share in cached_shares.items())
        + f" | {verdict(min(cached_shares.values()) >= 0.8)} |",
        f"| uncached pages at {CONNECTIONS} connections at 10% or more of the ceiling | "
        + ", ".join(f"{LABELS[page]} {share:.0%}" for page, share in uncached_shares.items())
        + f" | {verdict(min(uncached_shares.values()) >= 0.1)} |",
        f"| 200 or more accepted reports per second for 60 s, no error | {submit['accepted_per_second']:.0f}/s "
        f"for {options.submit_seconds} s, {submit['errors']} errors | "
        f"{verdict(submit_ok and options.submit_seconds >= 60)} |",
        f"| under a random-filter flood, cached pages' p95 under 50 ms for other readers | "
        f"{readers['p95_us'] / 1000:.1f} ms | {verdict(readers['p95_us'] / 1000 < 50 and readers['errors'] == 0)} |",
        f"| CSV export of {results['published']:,} rows in constant memory | largest worker growth "
        f"{growth:.1f} MiB | {verdict(growth < 64)} |",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=int(os.environ.get("BENCH_INCIDENTS") or 100_000))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS") or 10))
    parser.add_argument("--submit-seconds", type=int, default=int(os.environ.get("BENCH_SUBMIT_SECONDS") or 60))
    parser.add_argument("--observers", type=int, default=4000)
    parser.add_argument("--export-runs", type=int, default=2)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/observer_bench",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/10")
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave docs/benchmarks.md")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")
    command = "make bench" + (f" BENCH_INCIDENTS={options.incidents}" if options.incidents != 100_000 else "")

    print(f"== Preparing {options.database_url} with {options.incidents:,} published incidents")
    support.prepare_database(options.database_url, options.redis_url, incidents=options.incidents)
    support.setup_django(options.database_url, options.redis_url)
    from incidents import selectors
    from incidents.models import Incident, Status

    election = selectors.election_current()
    published = Incident.objects.filter(election=election, status=Status.PUBLISHED)
    regions = sorted(set(published.values_list("region__code", flat=True)) - {None})
    references = list(published.order_by("?").values_list("reference", flat=True)[:1000])
    print(f"== {options.observers:,} observers with API tokens")
    observers = support.bench_observers(options.observers)

    work = Path(tempfile.mkdtemp(prefix="observer-bench-"))
    paths_files = {}
    for page, paths in paths_for(regions, references).items():
        paths_files[page] = work / f"{page}.txt"
        paths_files[page].write_text("\n".join(paths) + "\n")
    tokens_file = work / "tokens.txt"
    tokens_file.write_text("\n".join(token for _observer, token in observers) + "\n")
    logs = support.ROOT / "bench" / "results"
    logs.mkdir(exist_ok=True)

    from django.core.cache import cache

    cache.clear()
    env = support.server_environment(options.database_url, options.redis_url)
    results = {
        "command": command,
        "machine": support.machine(options.database_url),
        "wrk": support.command_version("wrk", "-v").split(" [")[0].removeprefix("wrk ").strip(),
        "published": published.count(),
        "incidents_total": Incident.objects.filter(election=election).count(),
        "observers": len(observers),
    }
    print("== Page cache off")
    # Every page built as it is asked for: no build waits for a turn (the flood measure keeps the budget).
    server = support.Server(
        options.port,
        env,
        logs / "gunicorn.log",
        OBSERVER_PUBLIC_CACHE_SECONDS=0,
        OBSERVER_PUBLIC_BUILDS_PER_PROCESS=64,
        GUNICORN_TIMEOUT=600,
    )
    with server:
        results["workers"] = len(server.workers())
        results["threads"] = int(server.env.get("GUNICORN_THREADS") or 4)
        results["uncached"] = measure_pages(server, PAGES, paths_files, options.seconds)
        print("== New reports through the API")
        results["submissions"] = measure_submissions(
            server, tokens_file, regions, options.submit_seconds, [observer for observer, _token in observers]
        )
        print("== CSV export")
        results["export"] = measure_export(server, options.export_runs)
        results["worker_rss_uncached_mib"] = server.worker_rss_mib()
    print(f"== New reports through the API, a pool of {POOL_SIZE} connections per process")
    server = support.Server(options.port, env, logs / "gunicorn.log", DJANGO_DB_POOL=POOL_SIZE)
    with server:
        results["submissions_pool"] = measure_submissions(
            server, tokens_file, regions, options.submit_seconds, [observer for observer, _token in observers]
        )
    print("== Cache on")
    cache.clear()
    server = support.Server(options.port, env, logs / "gunicorn.log", OBSERVER_PUBLIC_CACHE_SECONDS=3600)
    with server:
        results["cached"] = measure_pages(server, CACHED_PAGES, paths_files, options.seconds)
        results["worker_rss_cached_mib"] = server.worker_rss_mib()
    print("== A random-filter flood beside readers of cached pages (the budget of builds as in production)")
    cache.clear()
    server = support.Server(
        options.port,
        env,
        logs / "gunicorn.log",
        OBSERVER_PUBLIC_CACHE_SECONDS=3600,
        OBSERVER_PUBLIC_BUILDS_PER_CLIENT=120,
        DJANGO_PROXY_COUNT=1,
    )
    with server:
        paths_files["flood_readers"] = work / "flood_readers.txt"
        results["flood"] = measure_flood(server, paths_files, regions, options.seconds)
    results["finished"] = time.strftime("%Y-%m-%d")
    shutil.rmtree(work, ignore_errors=True)

    support.dump(logs / "load.json", results)
    text = markdown(options, results)
    print()
    print(text)
    if not options.no_write:
        support.write_section("load", text)


if __name__ == "__main__":
    main()
