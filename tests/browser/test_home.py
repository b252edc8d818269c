import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_on_a_phone_in_russian(page):
    call_command("load_demo", stdout=io.StringIO())
    page.goto("/")
    assert page.locator("h1").inner_text() == "Election to the Mazhilis of Kazakhstan, 2021"
    # The page fits a 360 px screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="русский").click()
    page.wait_for_load_state()
    assert "Нур Отан" in page.content()
