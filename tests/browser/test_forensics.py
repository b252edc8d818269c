"""A visitor opens an election's forensics page on a phone: the charts draw without script, nothing overflows."""

import os

import pytest

from incidents.results.station_import import MAPPINGS, import_station_results
from tests import factories
from tests.results.conftest import generated_rows, station_csv

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_forensics_page_reads_on_a_phone(new_context, tmp_path):
    election = factories.ElectionFactory(slug="ru-browser", country="RU", reference_prefix="RUB", is_current=True)
    path = tmp_path / "stations.csv"
    path.write_text(station_csv(generated_rows(120)), encoding="utf-8")
    assert import_station_results(path, election=election, mapping=MAPPINGS["ru-cec"], source="Test commission").written

    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    page.get_by_role("link", name="Forensics of the station results").click()
    page.wait_for_url("**/e/ru-browser/forensics/")
    charts = page.locator("svg.forensics-chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 250 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_text("What it can and cannot show").first.click()
    assert "not proof of fraud" in page.locator("main").inner_text()
    if os.environ.get("OBSERVER_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["OBSERVER_SCREENSHOTS"], "forensics-360.png"), full_page=True)
