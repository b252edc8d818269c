"""`make bench-offline`: the observers' offline app over a slow link, and its weight.

    make bench-offline                      # 50 reports with one photo each
    .venv/bin/python bench/offline.py --reports 10 --no-write

1. Prepares a PostgreSQL database of its own (``OFFLINE_DATABASE_URL``, by
   default ``obs_offline``) with the demo election, and starts gunicorn with
   the production settings (hashed static files, WhiteNoise) on port 8104.
2. Debian's Chromium (Playwright) logs in as the demo observer, and the app
   keeps its pages. Cut off (Chromium's network emulation: offline), it saves
   ``--reports`` detentions, each with one photo chosen in the form (a
   4000×3000 JPEG that the phone scales to 1600 px), through the form's own
   code (form.js: fields, body, photo redrawn).
3. The link comes back slow: Chromium's emulation at ``--kbit`` kbit/s each
   way and ``--rtt`` ms round trip. Measured: the time from the "online" event
   until the last report is confirmed, the bytes of each request body
   (multipart: fields and photo) and of each answer; then the database is
   counted: every report once, each with one ``submitted`` event and its photo.
4. Weight: every answer the observer's first visit to /report/ needs (the page,
   its styles and scripts, the manifest and icon, setup.json, and the pages and
   choice lists the service worker keeps), then one form page afterwards (its
   HTML: everything else is kept), each compressed with gzip as it would travel
   (WhiteNoise's precompressed files for static files; gzip -6 for pages).

Writes its section of docs/benchmarks.md (markers ``offline``).
"""

import argparse
import gzip
import http.cookiejar
import os
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import support

PORT = 8104
USERNAME = "observer1"
PASSWORD = "bench-offline-password-2021"
CHROMIUM = os.environ.get("OBSERVER_CHROMIUM", "/usr/bin/chromium")

QUEUE = """async ({count, prefix}) => {
  const outbox = await import("/static/js/offline/outbox.js");
  const form = await import("/static/js/offline/form.js");
  const { randomKey } = await import("/static/js/offline/crypto.js");
  const setup = await outbox.getMeta("setup");
  const element = document.querySelector("form.report-form");
  const files = await form.filesOf(element, setup.photo_max_px);
  for (let i = 0; i < count; i += 1) {
    element.querySelector("[name=description]").value = `${prefix} ${i}`;
    await outbox.saveNew({observer: setup.observer, key: randomKey(), pass: setup.pass, kind: form.kindOf(element),
      fields: form.fieldsOf(element), body: form.bodyOf(element, setup), files, errors: {}, message: ""});
  }
  return files.map((file) => file.data.byteLength);
}"""

STATES = """async () => {
  const outbox = await import("/static/js/offline/outbox.js");
  return (await outbox.records()).map((row) => row.state);
}"""

BODY_BYTES = """async () => {
  const outbox = await import("/static/js/offline/outbox.js");
  const sender = await import("/static/js/offline/sender.js");
  const sizes = [];
  for (const row of await outbox.records()) {
    const report = await outbox.inner(row);
    if (report) sizes.push((await new Response(sender.formData(report)).arrayBuffer()).byteLength);
  }
  return sizes;
}"""


def camera_photo(path):
    """A 4000×3000 JPEG with the texture of a photo (smooth gradients and sensor-like noise)."""
    from PIL import Image, ImageFilter

    width, height = 4000, 3000
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = (
        Image.effect_noise((width // 4, height // 4), 40).resize((width, height)).filter(ImageFilter.GaussianBlur(2))
    )
    photo = Image.merge("RGB", (base.getchannel(0), noise, Image.radial_gradient("L").resize((width, height))))
    photo.save(path, format="JPEG", quality=90)
    return path.stat().st_size


def observer_password():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()


def delivered(prefix):
    from incidents.models import Attachment, EventAction, Incident, IncidentEvent

    incidents = Incident.objects.filter(description__startswith=prefix)
    return {
        "incidents": incidents.count(),
        "distinct": incidents.values("description").distinct().count(),
        "submitted_events": IncidentEvent.objects.filter(incident__in=incidents, action=EventAction.SUBMITTED).count(),
        "photos": Attachment.objects.filter(incident__in=incidents).count(),
    }


def weigh(url, opener):
    """(compressed bytes, raw bytes) of one answer, as it travels gzipped."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with opener.open(request) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            return len(body), len(gzip.decompress(body))
    return len(gzip.compress(body, 6)), len(body)


def weights(server_url):
    """The first visit's answers and one form page afterwards, by the observer's session."""
    import json

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server_url}/accounts/login/") as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(
        f"{server_url}/accounts/login/", data=form.encode(), headers={"Referer": f"{server_url}/accounts/login/"}
    )
    opener.open(request).read()
    with opener.open(f"{server_url}/report/") as response:
        page = response.read().decode()
    linked = re.findall(r'(?:href|src)="(/(?:static|report)/[^"]+\.(?:css|js|webmanifest|png))"', page)
    with opener.open(f"{server_url}/report/offline/setup.json") as response:
        setup = json.loads(response.read())
    first = {"/report/", "/report/offline/setup.json", *linked, *setup["pages"], *setup["assets"]}
    rows = {url: weigh(server_url + url, opener) for url in sorted(first)}
    form_page = weigh(f"{server_url}/report/new/detention/", opener)
    return rows, form_page


def run_browser(server_url, reports, kbit, rtt, photo):
    from playwright.sync_api import sync_playwright

    prefix = f"Bench offline {uuid.uuid4().hex[:8]}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=server_url)
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.goto("/accounts/login/?next=/report/new/detention/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.locator("html[data-offline-ready=true]").wait_for()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        answers = []
        cdp.on(
            "Network.responseReceived",
            lambda event: answers.append(event) if "/api/v1/reports/" in event["response"]["url"] else None,
        )
        finished = {}
        cdp.on(
            "Network.loadingFinished",
            lambda event: finished.__setitem__(event["requestId"], event["encodedDataLength"]),
        )
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.wait_for_function("navigator.onLine === false", polling=100)

        page.get_by_label("Polling station").select_option(index=1)
        page.get_by_label("How many people were detained?").fill("2")
        page.get_by_label("What happened?").fill(prefix)
        page.get_by_label("Photos, videos, audio or documents").set_input_files(str(photo))
        kept_photo = page.evaluate(QUEUE, {"count": reports, "prefix": prefix})
        page.goto("/report/outbox/")  # served by the service worker, offline
        page.locator("[data-outbox][data-ready=true]").wait_for()
        bodies = page.evaluate(BODY_BYTES)

        throughput = kbit * 1000 / 8
        started = time.monotonic()
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": rtt, "downloadThroughput": throughput, "uploadThroughput": throughput},
        )
        while True:
            states = page.evaluate(STATES)
            if states.count("sent") >= reports or time.monotonic() - started > 3600:
                break
            time.sleep(0.5)
        seconds = time.monotonic() - started
        browser.close()
    answer_bytes = [finished.get(event["requestId"], 0) for event in answers]
    return prefix, seconds, bodies, answer_bytes, kept_photo, states


def markdown(options, seconds, bodies, answer_bytes, kept_photo, photo_bytes, counts, rows, form_page, machine):
    first_compressed = sum(size for size, _ in rows.values())
    first_raw = sum(raw for _, raw in rows.values())
    per_body = sum(bodies) / len(bodies)
    per_answer = sum(answer_bytes) / max(1, len(answer_bytes))
    lost = options.reports - counts["distinct"]
    doubled = counts["incidents"] - counts["distinct"]
    largest = sorted(rows.items(), key=lambda item: -item[1][0])[:5]
    lines = [
        "## The offline app: `make bench-offline`",
        "",
        f"Machine: {machine}. Command: `make bench-offline` (`.venv/bin/python bench/offline.py --reports "
        f"{options.reports} --kbit {options.kbit} --rtt {options.rtt}`), gunicorn with the production settings "
        "on loopback, PostgreSQL, Debian's Chromium through Playwright. The per-observer limit on new reports "
        "is off for this run (one observer sends all of them).",
        "",
        f"{options.reports} detentions, each with one photo chosen in the form (a 4000×3000 JPEG of "
        f"{photo_bytes / 1024:.0f} KiB; the phone keeps it scaled to 1600 px: {kept_photo / 1024:.0f} KiB), "
        f"saved offline, then delivered over Chromium's emulated link: {options.kbit} kbit/s each way, "
        f"{options.rtt} ms round trip.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| time to deliver all {options.reports}, from the `online` event to the last confirmation | "
        f"{seconds:.0f} s ({seconds / options.reports:.1f} s a report) |",
        f"| request body per report (multipart: fields and photo) | {per_body / 1024:.1f} KiB |",
        f"| answer per report (JSON, as it travelled) | {per_answer / 1024:.1f} KiB |",
        f"| photo's share of the request | {kept_photo / per_body:.1%} |",
        f"| the link's floor for the bodies alone ({options.kbit} kbit/s) | "
        f"{sum(bodies) * 8 / (options.kbit * 1000):.0f} s |",
        f"| reports in the database | {counts['incidents']} (lost: {lost}, doubled: {doubled}) |",
        f"| `submitted` events, photos stored | {counts['submitted_events']}, {counts['photos']} |",
        "",
        f"Delivery runs at {sum(bodies) * 8 / (options.kbit * 1000) / seconds:.0%} of the link's floor: the "
        "photos are the whole cost, one report at a time costs only the round trips between them. A smaller "
        "**Photo size** on the phone shortens it in proportion (800 px: about a quarter of the bytes).",
        "",
        "Weight of the app (gzip as it travels; static files precompressed by WhiteNoise):",
        "",
        "| load | answers | compressed | uncompressed |",
        "| --- | --- | --- | --- |",
        f"| first visit to /report/ after login, with everything the service worker keeps | {len(rows)} | "
        f"{first_compressed / 1024:.1f} KiB | {first_raw / 1024:.1f} KiB |",
        f"| one form page afterwards (`/report/new/detention/`; styles, scripts, lists already kept) | 1 | "
        f"{form_page[0] / 1024:.1f} KiB | {form_page[1] / 1024:.1f} KiB |",
        "",
        "The largest answers of the first visit: "
        + ", ".join(f"`{url}` {size / 1024:.1f} KiB" for url, (size, _) in largest)
        + ". Goal: under 60 KB compressed.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("OFFLINE_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/obs_offline",
    )
    parser.add_argument("--redis-url", default=os.environ.get("OFFLINE_REDIS_URL") or "redis://127.0.0.1:6379/14")
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--kbit", type=int, default=250)
    parser.add_argument("--rtt", type=int, default=300)
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave docs/benchmarks.md")
    options = parser.parse_args()

    env = support.prepare_database(options.database_url, options.redis_url)
    support.setup_django(options.database_url, options.redis_url)
    observer_password()
    machine = "; ".join(support.machine(options.database_url))
    work = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    photo = work / "IMG_20210110_140000.jpg"
    photo_bytes = camera_photo(photo)
    server = support.Server(PORT, env, work / "gunicorn.log", OBSERVER_SUBMISSIONS_PER_MINUTE=0, GUNICORN_WORKERS=2)
    with server:
        rows, form_page = weights(server.url)
        prefix, seconds, bodies, answer_bytes, kept, states = run_browser(
            server.url, options.reports, options.kbit, options.rtt, photo
        )
    counts = delivered(prefix)
    text = markdown(options, seconds, bodies, answer_bytes, kept[0], photo_bytes, counts, rows, form_page, machine)
    print(text)
    print("phone states:", {state: states.count(state) for state in set(states)})
    if not options.no_write:
        support.write_section("offline", text)


if __name__ == "__main__":
    main()
