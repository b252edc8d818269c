"""The weight budget of a public page: under 60 KB compressed before photos, the map's script only on demand.

The page is measured as a browser loads it: the HTML and every stylesheet and script it links,
each compressed with gzip (level 6, as a web server sends them). Leaflet and the map's script are
not among them: map-loader.js brings them only when a reader opens the map.
"""

import gzip
import io
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from incidents.models import Incident

BUDGET = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="/static/([^"]+)"')


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A page asked for in another language leaves that language active in this thread: undo it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def gzipped(data):
    return len(gzip.compress(data, compresslevel=6))


def page_weight(client, url, language="en"):
    """``(compressed bytes, the assets linked)`` of a page and what it links."""
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    html = response.content
    assets = ASSET.findall(html.decode())
    total = gzipped(html)
    for asset in assets:
        path = finders.find(asset)
        assert path, asset
        with open(path, "rb") as file:
            total += gzipped(file.read())
    return total, assets


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def public_pages():
    incident = Incident.objects.published().order_by("pk").first()
    return [
        reverse("home"),
        reverse("incident-list"),
        reverse("region-list"),
        reverse("region-detail", args=["KZ-75"]),
        incident.get_absolute_url(),
    ]


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_public_page_is_under_its_weight_budget(client, demo, language):
    for url in public_pages():
        total, assets = page_weight(client, url, language)
        assert total < BUDGET, f"{url} in {language}: {total} bytes compressed, budget {BUDGET}"
        assert not any("leaflet" in asset or asset.endswith("js/map.js") for asset in assets), (url, assets)


def test_the_measure_counts_linked_assets(client, demo):
    """The measure is not the HTML alone: the stylesheet is in it."""
    total, assets = page_weight(client, reverse("home"))
    assert "css/site.css" in assets
    html_only = gzipped(client.get(reverse("home")).content)
    assert total > html_only


def test_the_map_assets_come_only_with_the_loader(client, demo):
    page = client.get(reverse("home")).content.decode()
    assert "js/map-loader.js" in page
    assert 'data-leaflet-js="/static/js_lib_leaflet/leaflet.js"' in page
    assert '<script src="/static/js_lib_leaflet/leaflet.js"' not in page
