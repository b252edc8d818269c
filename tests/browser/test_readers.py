"""The public pages on a 360 px phone in English, Russian and Kazakh: nothing scrolls sideways and no
chart label runs into another; the server-drawn maps are there before any script."""

import io

import pytest
from django.core.management import call_command

from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)

#: text in the server-drawn charts whose boxes must not meet (a pair that overlaps is a defect)
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll("svg.chart text")]
    .map((text) => ({ text: text.textContent.trim(), box: text.getBoundingClientRect() }))
    .filter((item) => item.text && item.box.width > 0);
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].box, b = boxes[j].box;
      // half a pixel of slack for anti-aliasing
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
        found.push(boxes[i].text + " / " + boxes[j].text);
      }
    }
  }
  return found;
}"""
#: chart text that runs out of its SVG
OUTSIDE = """() => [...document.querySelectorAll("svg.chart")].flatMap((svg) => {
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll("text")].filter((text) => {
    const box = text.getBoundingClientRect();
    return box.width > 0 && (box.left < frame.left - 1 || box.right > frame.right + 1);
  }).map((text) => text.textContent.trim());
})"""


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_public_pages_fit_a_phone_and_chart_labels_never_meet(new_context, live_server, demo, language):
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    incident = Incident.objects.published().order_by("pk").first()
    for url in ("/", "/incidents/", "/regions/", "/regions/KZ-75/", incident.get_absolute_url()):
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == language
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width == 360, f"{url} in {language} is {width} px wide"
        assert page.evaluate(OVERLAPS) == [], f"{url} in {language}"
        assert page.evaluate(OUTSIDE) == [], f"{url} in {language}"
        # the interactive map's script only when asked for
        assert page.evaluate("typeof window.L") == "undefined"
    page.goto("/")
    assert page.locator("#turnout-map a.region-shape").count() == 17
    assert page.locator("#turnout-map svg path, #turnout-map svg circle").count() == 17
