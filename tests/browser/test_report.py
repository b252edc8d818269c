"""An observer on a phone logs in, files a detention with a photo, and finds it in their list."""

import os

import pytest

from incidents.models import Incident

from .. import samples
from .conftest import demo_with_logins

pytestmark = pytest.mark.django_db(transaction=True)


def test_observer_files_a_detention_with_a_photo_on_a_phone(page, tmp_path, settings):
    demo_with_logins(settings)
    photo = tmp_path / "IMG_20210110_101500.jpg"
    photo.write_bytes(samples.image_bytes("JPEG", size=(640, 480)))

    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("observer1")
    page.get_by_label("Password").fill("observer-demo-2021")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My reports").wait_for()

    page.get_by_role("link", name="File a new report").click()
    page.get_by_role("button", name="Detention").click()
    assert page.get_by_label("Region").input_value()  # the observer's own region is chosen
    page.get_by_label("Polling station").select_option(index=1)  # their first station
    page.get_by_label("Where exactly?").fill("Outside the school gate")
    page.get_by_label("What happened?").fill("Police took three protesters into a van.")
    page.get_by_label("How many people were detained?").fill("3")
    page.get_by_label("Protesters").check()
    page.get_by_label("Photos, videos, audio or documents").set_input_files(str(photo))
    # The whole form fits a 360 px screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("OBSERVER_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["OBSERVER_SCREENSHOTS"], "report-form.png"), full_page=True)
    page.get_by_role("button", name="Send the report").click()

    page.get_by_role("heading", name="Report received").wait_for()
    reference = page.locator("#reference").inner_text()
    incident = Incident.objects.get(reference=reference)
    assert incident.reporter.user.username == "observer1" and incident.detention.people_detained == 3
    assert incident.attachments.get().kind == "photo"

    page.get_by_role("link", name="My reports").first.click()
    assert page.get_by_role("link", name=reference).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("OBSERVER_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["OBSERVER_SCREENSHOTS"], "my-reports.png"), full_page=True)
