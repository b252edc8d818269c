"""Every public text reaches the public surfaces escaped, and nothing private comes with it."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ..conftest import PUBLIC_TEXT_VALUES

pytestmark = pytest.mark.django_db

SCRIPT = "<script>"


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_every_public_text_on_the_page_escaped(client, fully_filled_texts):
    for filled in fully_filled_texts:
        page = content(client.get(filled.incident.get_absolute_url()))
        filled.assert_absent_from(page)
        assert SCRIPT not in page.replace('<script src="', "")
        assert "&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;" in page
    denied, blockage = (filled.incident for filled in fully_filled_texts)
    assert "&lt;script&gt;alert(&quot;reason&quot;)" in content(client.get(denied.get_absolute_url()))
    page = content(client.get(blockage.get_absolute_url()))
    for field in ("providers", "justification"):
        assert f"&lt;script&gt;alert(&quot;{field}&quot;)" in page


def test_every_public_text_in_the_feed_escaped(client, fully_filled_texts):
    feed = content(client.get(reverse("incident-feed")))
    assert "<script>" not in feed
    assert "Observers were kept out." in feed
    for filled in fully_filled_texts:
        filled.assert_absent_from(feed)


def test_every_public_text_in_csv_and_geojson_as_written(client, fully_filled_texts):
    csv_text = content(client.get(reverse("incident-export-csv")))
    features = json.loads(content(client.get(reverse("incident-export-geojson"))))["features"]
    flat = json.dumps(features, ensure_ascii=False)
    for value in PUBLIC_TEXT_VALUES.values():
        assert value.replace('"', '""') in csv_text or value in csv_text
        assert json.dumps(value, ensure_ascii=False)[1:-1] in flat
    for filled in fully_filled_texts:
        filled.assert_absent_from(csv_text)
        filled.assert_absent_from(flat)


def test_every_public_text_in_the_api(fully_filled_texts):
    api = APIClient()
    for filled in fully_filled_texts:
        data = api.get(reverse("api-incident-detail", args=[filled.incident.reference])).json()
        text = json.dumps(data, ensure_ascii=False)
        filled.assert_absent_from(text)
        assert json.dumps(PUBLIC_TEXT_VALUES["public_summary"], ensure_ascii=False)[1:-1] in text
