"""The whole journey of one report, in a real browser: the story of the product.

1. Aigul (observer1), on her phone, files a detention with a photo straight
   from the camera: the photo carries the place where it was taken.
2. A moderator logs in at a desk with a password and a backup code, claims
   the report, verifies it, makes the photo public, writes the public summary
   and publishes it.
3. A visitor on a phone finds it on the incident list, opens it, downloads the
   photo (no location left in it), sees it on the region page and on the map.
4. The same visitor switches to Russian and finds it all again, in Russian.
5. Back on her phone, Aigul sees her report published.

All along, nothing Aigul told the moderators in private — her name, her
words, where she stood, the names of the people taken, the photo's file
name — reaches a public page or the map data.

Only the setup goes around the pages: the demo election, and backup codes
for the moderator (a real moderator has them on paper since their first login).
"""

import io
import json
import os
import re

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from incidents import services
from incidents.models import Incident, OfficialResult, PollingStation, Region, Status

from .. import samples
from .conftest import demo_with_logins, open_map

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "observer-demo-2021"  # the demo accounts' password (set only in debug)

#: what the observer tells the moderators, and nobody else
DESCRIPTION = "I, Aigul from flat 12 on Abay avenue, saw police push three protesters into a white van."
LOCATION = "Behind school 41, by the garages"
DETAINED_NAMES = "Bolat Sekretov"
PHOTO_NAME = "IMG_20210110_aigul_secret.jpg"
PRIVATE = [
    "observer1",
    "Aigul",  # the observer's first and last names
    "Demova",
    DESCRIPTION,
    "Abay avenue",
    LOCATION,
    DETAINED_NAMES,
    "Sekretov",
    PHOTO_NAME,
    "aigul_secret",
    "moderator1",
]
#: what the moderator writes for the public
SUMMARY = "Police detained three protesters outside a school in Almaty and drove them away in a van."
GPS_IFD = 0x8825


def assert_private_absent(text, where):
    found = [value for value in PRIVATE if value.lower() in text.lower()]
    assert not found, f"private values on {where}: {found}"


def assert_fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{page.url} scrolls sideways"


def assert_labels_fit(page):
    """No label of a list of facts runs over its value (long Russian words on a phone)."""
    overflowing = page.evaluate(
        """() => Array.from(document.querySelectorAll("main dt"))
                  .filter((label) => label.scrollWidth > label.clientWidth)
                  .map((label) => label.textContent.trim())"""
    )
    assert not overflowing, f"labels wider than their column on {page.url}: {overflowing}"


def latin_words(text):
    """Words in Latin letters left in ``text`` once references and what people typed are taken out.

    On a Russian page these are strings the interface forgot to translate: the
    data people typed (summaries, result sources, station names) stays as typed.
    """
    typed = [*Incident.objects.published().values_list("public_summary", flat=True)]
    typed += OfficialResult.objects.values_list("source", flat=True)
    typed += PollingStation.objects.values_list("name", flat=True)
    typed += Region.objects.exclude(geometry_source="").values_list("geometry_source", flat=True)
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\b[A-Z0-9]+-[A-Z0-9]+\b", " ", text)  # references KZ21-7F3K9Q and codes KZ-75
    text = re.sub(r"\b[A-Z][a-z]+/[A-Z][a-z_]+\b", " ", text)  # the time zone, Asia/Almaty
    brands = {"Observer", "CSV", "GeoJSON", "Atom", "JavaScript", "OONI", "IODA", "Cloudflare", "Radar"}
    return sorted({word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in brands})


def log_in(page, username):
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def shot(page, name):
    if os.environ.get("OBSERVER_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["OBSERVER_SCREENSHOTS"], f"journey-{name}.png"), full_page=True)


@pytest.fixture
def demo(settings):
    """The demo election, its regions, results and accounts."""
    demo_with_logins(settings)


@pytest.fixture
def backup_code(demo):
    """One of the moderator's backup codes (shown once when they were made)."""
    moderator = get_user_model().objects.get(username="moderator1")
    return services.backup_codes_renew(user=moderator)[0]


@pytest.fixture
def almaty_backup_code(demo):
    """A backup code of moderator_almaty, who moderates Almaty only."""
    return services.backup_codes_renew(user=get_user_model().objects.get(username="moderator_almaty"))[0]


def test_a_report_goes_from_an_observers_phone_to_the_public_map(
    backup_code, almaty_backup_code, new_context, tmp_path
):
    observer = new_context().new_page()
    reference = observer_files_a_detention_with_a_photo(observer, tmp_path)
    moderator_verifies_it(new_context(viewport=DESKTOP).new_page(), reference, backup_code)
    almaty_moderator_approves_and_publishes_it(new_context(viewport=DESKTOP).new_page(), reference, almaty_backup_code)
    visitor = new_context().new_page()
    visitor_finds_it(visitor, reference)
    visitor_finds_it_in_russian(visitor, reference)
    observer_sees_it_published(observer, reference)


def observer_files_a_detention_with_a_photo(page, tmp_path):
    photo = tmp_path / PHOTO_NAME
    photo.write_bytes(samples.image_bytes("JPEG", size=(640, 480)))  # as a phone writes it: GPS, camera, turned
    assert Image.open(photo).getexif().get_ifd(GPS_IFD), "the photo carries where it was taken"

    log_in(page, "observer1")
    page.get_by_role("heading", name="My reports").wait_for()

    page.get_by_role("link", name="File a new report").click()
    page.get_by_role("button", name="Detention").click()
    page.get_by_role("heading", name="New report: Detention").wait_for()
    assert page.get_by_label("Region").locator("option:checked").inner_text() == "Almaty"  # where she observes
    page.get_by_label("Polling station").select_option(index=1)  # her first station
    page.get_by_label("Where exactly?").fill(LOCATION)
    page.get_by_label("What happened?").fill(DESCRIPTION)
    page.get_by_label("How many people were detained?").fill("3")
    page.get_by_label("Protesters").check()
    page.get_by_label("Names of detained people").fill(DETAINED_NAMES)
    page.get_by_label("Photos, videos, audio or documents").set_input_files(str(photo))
    assert_fits_the_phone(page)
    shot(page, "1-observer-form")
    page.get_by_role("button", name="Send the report").click()

    page.get_by_role("heading", name="Report received").wait_for()
    reference = page.locator("#reference").inner_text()
    page.get_by_role("link", name="My reports").first.click()
    report = page.locator(".report-card", has_text=reference)
    assert report.locator(".status").inner_text() == "Submitted"
    return reference


def staff_log_in(page, username, backup_code):
    log_in(page, username)
    # Staff need a second factor: no phone at hand, so one of the backup codes.
    page.get_by_role("heading", name="Second step of logging in").wait_for()
    page.get_by_label("Code").fill(backup_code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Elections, observers and incidents").wait_for()


def moderator_verifies_it(page, reference, backup_code):
    staff_log_in(page, "moderator1", backup_code)
    page.get_by_role("link", name="Incidents", exact=True).first.click()
    page.get_by_role("link", name=reference, exact=True).click()  # the queue
    panel = page.locator("section.moderation")
    assert DESCRIPTION in panel.inner_text()  # the observer's words, for the moderator's eyes only

    panel.get_by_role("button", name="Claim").click()
    page.get_by_text(f"{reference} is now “In review”.").wait_for()
    panel.get_by_label("Verification").select_option(label="Corroborated")
    panel.get_by_role("button", name="Verify").click()
    page.get_by_text(f"{reference} is now “Verified”.").wait_for()

    # The summary first, then the photo: what was typed stays while the photo is switched.
    panel.get_by_label("Public summary").fill(SUMMARY)
    panel.get_by_role("img", name="Attachment 1").wait_for()  # previewed for the moderator to look at
    panel.get_by_role("button", name="Make public").click()
    page.get_by_text("The file is public once the incident is published.").wait_for()
    assert panel.get_by_label("Public summary").input_value() == SUMMARY
    shot(page, "2-moderation")
    # It names detained people: one moderator alone cannot publish it.
    assert panel.get_by_role("button", name="Publish").count() == 0
    assert panel.get_by_role("button", name="Approve for publication").count() == 0
    assert "a second moderator approves this report" in panel.inner_text()
    panel.get_by_role("button", name="Save the summary").click()
    page.get_by_text(f"The public summary of {reference} was saved.").wait_for()


def almaty_moderator_approves_and_publishes_it(page, reference, backup_code):
    """The second moderator moderates Almaty only: the queue, at 1280 px, shows no report of elsewhere."""
    staff_log_in(page, "moderator_almaty", backup_code)
    page.get_by_role("link", name="Open the moderation queue").click()
    page.goto(page.url.split("?")[0] + "?status=all")
    listed = page.locator("#result_list tbody tr")
    regions = set(page.locator("#result_list td.field-region").all_inner_texts())
    assert listed.count() > 0 and regions <= {"Almaty (KZ-75)"}, regions
    elsewhere = Incident.objects.exclude(region__code="KZ-75").values_list("reference", flat=True).first()
    assert elsewhere and elsewhere not in page.content()
    # status, kind, region, age and the claim are on screen without a sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    for column in ("status", "kind", "region", "age", "claim"):
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box and box["x"] + box["width"] <= DESKTOP["width"], column
    shot(page, "2b-almaty-queue")

    page.get_by_role("link", name=reference, exact=True).click()
    panel = page.locator("section.moderation")
    panel.get_by_role("button", name="Approve for publication").click()
    page.get_by_text(f"{reference} is now “Approved for publication”.").wait_for()
    assert page.locator("section.moderation").get_by_label("Public summary").input_value() == SUMMARY
    page.locator("section.moderation").get_by_role("button", name="Publish").click()
    page.get_by_text(f"{reference} is now “Published”.").wait_for()
    history = page.locator(".field-what_happened").all_inner_texts()
    assert "Aigerim Demokyzy approved its publication." in history

    incident = Incident.objects.get(reference=reference)
    assert (incident.status, incident.public_summary) == (Status.PUBLISHED, SUMMARY)
    assert [event.action for event in incident.events.order_by("id")] == [
        "submitted",
        "attached",
        "claimed",
        "verified",
        "edited",  # the photo made public
        "edited",  # the summary saved
        "approved",  # by the second moderator
        "published",
    ]


def visitor_finds_it(page, reference):
    # On the list of published incidents, newest first.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    page.wait_for_url("**/incidents/")
    card = page.locator(".incident-card", has_text=reference)
    assert SUMMARY in card.inner_text()
    assert_private_absent(page.content(), "the incident list")
    assert_fits_the_phone(page)

    # Its own page: what happened, the details, the photo, the place on a map.
    card.get_by_role("link").click()
    assert page.locator("#incident-heading").inner_text() == "Detention — Almaty"
    main = page.locator("main").inner_text()
    assert SUMMARY in main and f"Reference {reference}" in main
    open_map(page)
    assert page.locator("path.incident-marker").count() == 1
    assert_private_absent(page.content(), "the incident page")
    assert_fits_the_phone(page)
    assert_labels_fit(page)
    shot(page, "3-incident")
    visitor_downloads_the_photo(page)

    # The region's page lists it beside the official result.
    page.locator(".breadcrumbs").get_by_role("link", name="Almaty").click()
    page.wait_for_url("**/regions/KZ-75/")
    assert page.locator("h1").inner_text().split() == ["Almaty", "KZ-75"]
    assert page.locator(".incident-card", has_text=reference).count() == 1
    count = page.locator(".figures div", has_text="Incidents").locator("dd").first.inner_text()
    assert_private_absent(page.content(), "the region page")
    assert_fits_the_phone(page)
    assert_labels_fit(page)

    # All of them on the list, with the map of the list: Almaty's circle counts it.
    page.get_by_role("link", name=f"See all {count} incidents, with filters").click()
    with page.expect_response(lambda response: "/regions/map.geojson?region=KZ-75" in response.url) as map_data:
        open_map(page)
    assert page.locator(".incident-card", has_text=reference).count() == 1
    assert region_count(map_data.value, "KZ-75") == int(count)
    assert_private_absent(map_data.value.text(), "the map data")
    popup = open_the_region_on_the_map(page)
    assert popup.startswith("Almaty") and f"{count} published incidents" in popup
    assert_fits_the_phone(page)
    shot(page, "4-list-map")


def visitor_downloads_the_photo(page):
    """The photo, through the link on the incident page: the pixels, nothing else."""

    def the_file(response):  # the file itself, not the phone-sized picture shown on the page
        return "/attachments/" in response.url and "size=" not in response.url

    with page.expect_response(the_file) as answer:
        page.get_by_role("link", name="Photo 1").click()
    response = answer.value
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert_private_absent(response.headers.get("content-disposition", ""), "the photo's file name")
    content = response.body()
    photo = Image.open(io.BytesIO(content))
    assert photo.size == (480, 640)  # turned upright, as the camera meant it
    assert not photo.getexif(), "EXIF left in the public photo"
    assert not photo.getexif().get_ifd(GPS_IFD)
    assert "xmp" not in photo.info and b"<x:xmpmeta" not in content
    assert samples.CAMERA_MODEL.encode() not in content
    page.go_back()
    page.wait_for_selector("#incident-heading")


def region_count(response, code):
    features = {feature["id"]: feature["properties"] for feature in json.loads(response.text())["features"]}
    return features[code]["incidents"]


def open_the_region_on_the_map(page):
    """Tap the one region with incidents (the others are grey) and read its popup."""
    page.locator("path.region-marker:not([fill='#9aa3b2'])").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    return popup.inner_text()


def visitor_finds_it_in_russian(page, reference):
    page.get_by_role("button", name="Русский").click()
    page.get_by_role("heading", name="Опубликованные инциденты").wait_for()
    open_map(page)
    card = page.locator(".incident-card", has_text=reference)
    assert card.get_by_role("link").inner_text() == "Задержание — Алматы"
    assert open_the_region_on_the_map(page).startswith("Алматы")
    assert latin_words(page.locator("main").inner_text()) == []
    assert_private_absent(page.content(), "the Russian incident list")
    shot(page, "5-ru-list")

    card.get_by_role("link").click()
    assert page.locator("#incident-heading").inner_text() == "Задержание — Алматы"
    open_map(page)
    main = page.locator("main").inner_text()
    assert f"Номер {reference}" in main and "Фото 1" in main and SUMMARY in main
    assert latin_words(main) == []
    assert_private_absent(page.content(), "the Russian incident page")
    assert_fits_the_phone(page)
    assert_labels_fit(page)
    shot(page, "6-ru-incident")

    page.locator(".breadcrumbs").get_by_role("link", name="Алматы").click()
    page.wait_for_url("**/regions/KZ-75/")
    assert page.locator("h1").inner_text().split() == ["Алматы", "KZ-75"]
    assert page.locator(".incident-card", has_text=reference).count() == 1
    assert latin_words(page.locator("main").inner_text()) == []
    assert_private_absent(page.content(), "the Russian region page")
    assert_fits_the_phone(page)
    assert_labels_fit(page)
    shot(page, "7-ru-region")


def observer_sees_it_published(page, reference):
    """Back on her phone, Aigul sees what happened to her report, never who did it."""
    page.reload()
    report = page.locator(".report-card", has_text=reference)
    assert report.locator(".status").inner_text() == "Published"
    report.get_by_role("link", name=reference).click()
    history = page.locator(".history").inner_text()
    assert_labels_fit(page)
    shot(page, "8-observer-report")
    assert "Published" in history and "by a moderator" in history and "moderator1" not in page.content()
