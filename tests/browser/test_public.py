"""A visitor sees the overview map, filters incidents by region, opens one, and sees the maps draw."""

import io

import pytest
from django.core.management import call_command

from .conftest import open_map

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_filter_by_region_open_an_incident_and_see_the_map(page, demo):
    # The overview map draws every region with no tile server configured (the
    # page fixture fails the test if any other host is asked).
    page.goto("/")
    open_map(page)
    assert page.locator("path.region-marker").count() == 17
    assert page.locator(".leaflet-tile").count() == 0

    page.goto("/incidents/")
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Region").select_option("KZ-75")
    page.get_by_role("button", name="Show incidents").click()
    page.wait_for_url("**/incidents/?*region=KZ-75*")
    assert "3 published incidents match." in page.locator("main").inner_text()

    # The map of the list draws a marker per region, the filtered region marked by its count.
    map_element = page.locator("[data-map][data-geojson-url]")
    open_map(page)
    map_element.scroll_into_view_if_needed()
    assert int(map_element.get_attribute("data-markers")) == 17
    assert page.locator("path.region-marker").count() == 17
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator(".incident-card a").first.click()
    page.wait_for_selector("#incident-heading")
    assert "Almaty" in page.locator("#incident-heading").inner_text()
    assert "Reference KZ21-" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
