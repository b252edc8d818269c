"""The observers' offline app in Chromium: filing through a blockage, exactly once.

The live server runs in the test's process; the browser is cut off with
``context.set_offline`` and answers are lost with ``page.route``.
"""

import io
import json

import pytest
from django.core.management import call_command
from PIL import Image

from incidents.models import EventAction, Incident, IncidentEvent

from .. import samples

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "observer-demo-2021"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # the demo accounts get their demo password only in debug
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
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
    page.goto("/report/new/detention/")
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
