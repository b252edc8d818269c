"""The observers' offline app in Chromium: filing through a blockage, exactly once.

The live server runs in the test's process; the browser is cut off with
``context.set_offline`` and answers are lost with ``page.route``.
"""

import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from incidents.models import EventAction, Incident, IncidentEvent

from .. import samples
from .conftest import demo_with_logins

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "observer-demo-2021"


@pytest.fixture
def demo(settings):
    demo_with_logins(settings)
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0


def log_in(page, username="observer1"):
    page.goto("/accounts/login/?next=/report/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My reports").wait_for()
    # The app has kept the forms and choice lists for use offline.
    page.locator("html[data-offline-ready=true]").wait_for()


def fill_detention(page, description="Police took three protesters into a van.", people="3", photo=None):
    page.get_by_role("heading", name="New report: Detention").wait_for()
    page.get_by_label("Polling station").select_option(index=1)
    page.get_by_label("Where exactly?").fill("Outside the school gate")
    page.get_by_label("What happened?").fill(description)
    page.get_by_label("How many people were detained?").fill(people)
    page.get_by_label("Protesters").check()
    if photo:
        page.get_by_label("Photos, videos, audio or documents").set_input_files(str(photo))


def outbox_rows(page):
    page.locator("[data-outbox][data-ready=true]").wait_for()
    return page.locator(".outbox-row")


def test_a_detention_filed_offline_arrives_once_with_its_photo_stripped(demo, new_context, tmp_path):
    photo = tmp_path / "IMG_20210110_101500.jpg"
    photo.write_bytes(samples.image_bytes("JPEG", size=(2400, 1800)))
    context = new_context()
    page = context.new_page()
    log_in(page)

    context.set_offline(True)
    page.goto("/report/")  # the app, as the home screen opens it
    page.get_by_role("link", name="File a new report").click()
    page.get_by_role("button", name="Detention").click()
    fill_detention(page, photo=photo)
    page.get_by_role("button", name="Save on this phone").click()
    page.get_by_text("The report is saved on this phone.").wait_for()
    assert outbox_rows(page).count() == 1
    page.close()

    page = context.new_page()  # closed and opened again, still offline
    page.goto("/report/outbox/")
    row = outbox_rows(page).first
    assert row.get_attribute("data-state") == "waiting"
    assert "Detention" in row.inner_text()
    assert not Incident.objects.filter(description__startswith="Police took").exists()

    context.set_offline(False)
    page.locator(".outbox-row[data-state=sent]").wait_for()
    incident = Incident.objects.get(description__startswith="Police took")
    assert page.locator(".outbox-row a", has_text=incident.reference).is_visible()
    assert incident.reporter.user.username == "observer1" and incident.detention.people_detained == 3
    assert incident.detention.detained_groups == ["protesters"]
    attachment = incident.attachments.get()
    image = Image.open(attachment.file)
    assert max(image.size) == 1600  # scaled down on the phone
    assert not image.getexif() and "exif" not in image.info
    assert IncidentEvent.objects.filter(incident=incident, action=EventAction.SUBMITTED).count() == 1


QUEUE = """async ({count, prefix}) => {
  const outbox = await import("/static/js/offline/outbox.js");
  const { randomKey } = await import("/static/js/offline/crypto.js");
  const setup = await outbox.getMeta("setup");
  for (let i = 0; i < count; i += 1) {
    await outbox.saveNew({
      observer: setup.observer, key: randomKey(), pass: setup.pass, kind: "detention", fields: [], files: [],
      errors: {}, message: "",
      body: {kind: "detention", region: "KZ-75", occurred_at: new Date(Date.now() - 60000).toISOString(),
             occurred_precision: "exact", description: `${prefix} ${i}`,
             details: {people_detained: 1, detained_groups: ["protesters"], detained_by: "police",
                       circumstances: "at_protest", release_status: "unknown", charges: "unknown"}},
    });
  }
}"""

DUMP = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("notes");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const out = {};
  for (const name of Array.from(db.objectStoreNames)) {
    out[name] = await new Promise((resolve) => {
      const request = db.transaction(name).objectStore(name).getAll();
      request.onsuccess = () => resolve(request.result);
    });
  }
  db.close();
  const text = (bytes) => Array.from(bytes, (byte) => String.fromCharCode(byte)).join("");
  return JSON.stringify(out, (key, value) =>
    value instanceof ArrayBuffer ? text(new Uint8Array(value)) : ArrayBuffer.isView(value) ? text(value) : value);
}"""


def wait_until_sent(page, count, tries=60):
    sent = page.locator(".outbox-row[data-state=sent]")
    for _ in range(tries):
        if sent.count() == count:
            return
        page.get_by_role("button", name="Send now").click()
        page.wait_for_selector(".outbox-row[data-state=sending]", state="detached")
        page.wait_for_timeout(150)
    assert sent.count() == count


def test_lost_answers_file_each_queued_report_exactly_once(demo, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page)
    page.goto("/report/outbox/")
    context.set_offline(True)
    page.evaluate(QUEUE, {"count": 20, "prefix": "Queued report"})
    page.reload()
    assert outbox_rows(page).count() == 20

    handled = []

    def lose_three_answers_in_ten(route):
        response = route.fetch()  # the server has handled the request...
        handled.append(response.status)
        if len(handled) % 10 in (1, 4, 7):
            route.abort("connectionreset")  # ...but its answer never reaches the phone
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/reports/", lose_three_answers_in_ten)
    context.set_offline(False)
    wait_until_sent(page, 20)

    incidents = Incident.objects.filter(description__startswith="Queued report ")
    assert sorted(incidents.values_list("description", flat=True)) == sorted(f"Queued report {i}" for i in range(20))
    assert len(handled) > 20 and handled.count(200) >= 1  # answers were lost, and resends were replayed
    for incident in incidents:
        assert incident.events.filter(action=EventAction.SUBMITTED).count() == 1
    # Each sent report keeps only its reference on the phone.
    dump = json.loads(page.evaluate(DUMP))
    assert all(set(row) >= {"reference", "url"} and "plain" not in row for row in dump["reports"])


def test_a_refused_report_stays_with_its_reason_and_is_sent_once_corrected(demo, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page)
    page.goto("/report/new/detention/")
    fill_detention(page, description="A crowd was taken away.", people="200000")
    page.get_by_role("button", name="Send the report").click()
    # The server refused it: the reason is beside the field, the report stays on the phone.
    field = page.locator(".field.has-error", has=page.get_by_label("How many people were detained?"))
    field.get_by_text("less than or equal to 100000").wait_for()
    assert not Incident.objects.filter(description="A crowd was taken away.").exists()
    page.goto("/report/outbox/")
    row = outbox_rows(page).first
    assert row.get_attribute("data-state") == "refused"
    assert "less than or equal to 100000" in row.inner_text()

    row.get_by_role("link", name="Edit").click()
    page.get_by_label("How many people were detained?").wait_for()
    expect(page.get_by_label("How many people were detained?")).to_have_value("200000")
    page.get_by_text("less than or equal to 100000").wait_for()
    page.get_by_label("How many people were detained?").fill("40")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_role("heading", name="Report received").wait_for()
    incident = Incident.objects.get(description="A crowd was taken away.")
    assert incident.detention.people_detained == 40
    page.goto("/report/outbox/")
    assert outbox_rows(page).first.get_attribute("data-state") == "sent"


def test_reports_saved_while_the_session_ran_out_are_sent_after_the_next_login(demo, new_context):
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    context = new_context()
    page = context.new_page()
    log_in(page)
    context.set_offline(True)
    page.goto("/report/new/detention/")
    fill_detention(page, description="Taken while the session ran out.")
    page.get_by_role("button", name="Save on this phone").click()
    page.get_by_text("The report is saved on this phone.").wait_for()

    Session.objects.all().delete()  # the session ended on the server meanwhile
    cache.clear()
    context.set_offline(False)
    page.get_by_text("Your session has ended").wait_for()
    assert outbox_rows(page).first.get_attribute("data-state") == "held"
    assert not Incident.objects.filter(description="Taken while the session ran out.").exists()

    page.get_by_role("link", name="Log in", exact=True).last.click()
    page.get_by_label("Username").fill("observer1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".outbox-row[data-state=sent]").wait_for()
    assert Incident.objects.filter(description="Taken while the session ran out.").count() == 1


def test_a_pin_locks_the_outbox_and_the_wipe_leaves_nothing(demo, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page)
    page.goto("/report/outbox/")
    page.get_by_label("New PIN (at least 4 digits)").fill("4821")
    page.get_by_role("button", name="Lock").click()
    page.locator("[data-pin-on]:not([hidden])").wait_for()

    context.set_offline(True)
    page.goto("/report/new/detention/")
    fill_detention(page, description="Secret words about the white van.")
    page.get_by_role("button", name="Save on this phone").click()
    page.get_by_text("The report is saved on this phone.").wait_for()

    page.reload()  # a new page: the key is gone with the old one
    reports = json.dumps(json.loads(page.evaluate(DUMP))["reports"])
    assert "sealed" in reports
    for plain in ("Secret words", "white van", "Outside the school gate", "detention", "protesters", "observer1"):
        assert plain not in reports, f"{plain!r} readable in IndexedDB"
    assert outbox_rows(page).first.inner_text().startswith("A locked report")

    context.set_offline(False)
    page.get_by_role("button", name="Send now").click()
    page.wait_for_timeout(500)
    assert not Incident.objects.filter(description__startswith="Secret words").exists()  # locked: waits
    page.locator("#outbox-pin").fill("1111")
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("Wrong PIN.").wait_for()
    page.locator("#outbox-pin").fill("4821")
    page.get_by_role("button", name="Unlock").click()
    page.locator(".outbox-row[data-state=sent]").wait_for()
    assert Incident.objects.filter(description__startswith="Secret words").count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Wipe this phone's copy").click()
    page.wait_for_url("**/")
    left = page.evaluate(
        """async () => ({
          databases: (await indexedDB.databases()).map((db) => db.name),
          caches: await caches.keys(),
          workers: (await navigator.serviceWorker.getRegistrations()).length,
        })"""
    )
    assert left == {"databases": [], "caches": [], "workers": 0}


@pytest.fixture
def site_key(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    settings.OBSERVER_OUTBOX_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key


def upload_in_the_admin(page, path):
    page.goto("/admin/carried-outbox/")
    page.get_by_label("Outbox file").set_input_files(str(path))
    page.get_by_role("button", name="File the reports").click()


def test_the_carried_file_is_filed_once_however_often_it_is_uploaded(demo, site_key, new_context, tmp_path):
    from django.contrib.auth import get_user_model

    from incidents import services

    context = new_context()
    phone = context.new_page()
    log_in(phone)
    context.set_offline(True)
    phone.goto("/report/new/detention/")
    photo = tmp_path / "IMG_20210110_1.jpg"
    photo.write_bytes(samples.image_bytes("JPEG", size=(800, 600)))
    fill_detention(phone, description="Carried report with a photo.", photo=photo)
    phone.get_by_role("button", name="Save on this phone").click()
    phone.get_by_text("The report is saved on this phone.").wait_for()
    phone.evaluate(QUEUE, {"count": 2, "prefix": "Carried report"})
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Save as a file to carry").click()
    carried = tmp_path / "carried.bin"
    download.value.save_as(carried)
    assert carried.read_bytes()[:8] == b"OBSVOUT1"

    code = services.backup_codes_renew(user=get_user_model().objects.get(username="coordinator"))[0]
    desk = new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto("/accounts/login/?next=/admin/carried-outbox/")
    desk.get_by_label("Username").fill("coordinator")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.get_by_label("Code").fill(code)
    desk.get_by_role("button", name="Continue").click()
    upload_in_the_admin(desk, carried)
    assert "3 reports filed, 0 were already on the site" in desk.locator("#carried-result").inner_text()
    upload_in_the_admin(desk, carried)
    assert "0 reports filed, 3 were already on the site" in desk.locator("#carried-result").inner_text()

    tampered = tmp_path / "tampered.bin"
    data = bytearray(carried.read_bytes())
    data[len(data) // 2] ^= 0x20
    tampered.write_bytes(bytes(data))
    upload_in_the_admin(desk, tampered)
    desk.get_by_text("This outbox file is damaged or was changed after it was saved. Nothing was filed.").wait_for()

    filed = Incident.objects.filter(description__startswith="Carried report")
    assert filed.count() == 3
    assert filed.get(description="Carried report with a photo.").attachments.count() == 1
    # The phone, online again, sends the same reports: the site answers with those already filed.
    context.set_offline(False)
    phone.goto("/report/outbox/")
    wait_until_sent(phone, 3)
    assert Incident.objects.filter(description__startswith="Carried report").count() == 3
    sent = set(phone.locator(".outbox-row[data-state=sent] a").all_inner_texts())
    assert sent == set(filed.values_list("reference", flat=True))


def test_logging_out_drops_the_kept_pages_and_keeps_the_outbox(demo, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page)
    page.goto("/report/outbox/")
    page.evaluate(QUEUE, {"count": 1, "prefix": "Kept over a logout"})
    context.set_offline(True)  # so that it stays unsent
    assert page.evaluate("async () => (await caches.keys()).length") == 1
    context.set_offline(False)
    page.route("**/api/v1/reports/", lambda route: route.abort())  # still not through
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    page.goto("/report/outbox/")
    assert outbox_rows(page).count() == 1  # the report waits for the next login
