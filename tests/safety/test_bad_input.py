"""Malformed input is answered 4xx with a reason, never 500, on SQLite and PostgreSQL alike."""

import datetime
import gc

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ..api.conftest import token_client
from ..public_data import published

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = [
    "incident-list",
    "incident-export-csv",
    "incident-export-geojson",
    "incident-feed",
    "region-map-data",
    "api-incident-list",
    "api-incident-csv",
    "api-incident-geojson",
]
BAD_DATES = [
    {"date_to": "9999-12-31"},
    {"date_from": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_to": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
]


@pytest.fixture
def one_published(election, region):
    return published(election, region)


def read(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", PUBLIC_LISTS)
@pytest.mark.parametrize("query", BAD_DATES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_dates_outside_the_sane_range_are_refused(client, one_published, name, query):
    response = client.get(reverse(name), query)
    assert response.status_code == 400, (name, query, response.status_code)
    body = read(response).decode()
    assert "date" in body.lower()


@pytest.mark.parametrize("name", PUBLIC_LISTS)
def test_a_sane_date_range_still_works(client, one_published, name):
    response = client.get(reverse(name), {"date_from": "2021-01-01", "date_to": "2021-01-31"})
    assert response.status_code == 200
    read(response)


@pytest.mark.parametrize(
    "path",
    [
        "/incidents/KZT-%00/",
        "/regions/KZ-%0075/",
        "/api/v1/incidents/KZT-%00AAAA/",
        "/api/v1/regions/KZ%00/",
        "/report/KZT-%00/",
        "/incidents/?region=KZ%00",
        "/incidents/?q=%00",
        "/api/v1/incidents/?region=%00",
        "/api/v1/polling-stations/?region=%00",
        "/incidents/export.csv?region=%00",
        "/regions/?election=%00",
    ],
)
def test_nul_in_a_url_is_refused(client, one_published, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)


@pytest.mark.parametrize("header", [b"Token \xff", b"Token \x00abc", b"Token " + b"a" * 5000])
@pytest.mark.parametrize("path", ["/api/v1/incidents/", "/api/schema/", "/api/v1/reports/"])
def test_a_malformed_token_header_is_401(path, header):
    response = APIClient().get(path, HTTP_AUTHORIZATION=header.decode("latin-1"))
    assert response.status_code == 401, (path, header, response.status_code)
    assert "token" in response.content.decode().lower()


def nested(depth):
    return '{"a": ' * depth + '"x"' + "}" * depth


def test_deeply_nested_json_is_400(observer):
    api = token_client(observer.user)
    body = '{"kind": "other", "details": ' + nested(1000) + "}"
    response = api.post("/api/v1/reports/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1")
    assert response.status_code == 400
    assert "deep" in response.content.decode().lower()


def test_nul_in_json_is_400(observer, election, region):
    api = token_client(observer.user)
    body = {
        "kind": "other",
        "region": region.code,
        "occurred_at": "2021-01-10T10:00:00Z",
        "description": "a\u0000b",
        "details": {"x\u0000": 1},
    }
    response = api.post("/api/v1/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="nul-1")
    assert response.status_code == 400


def test_year_one_in_a_report_is_400(observer, election, region):
    api = token_client(observer.user)
    body = {"kind": "other", "region": region.code, "occurred_at": "0001-01-01T00:00:00Z", "description": "x"}
    response = api.post("/api/v1/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="year-1")
    assert response.status_code == 400


def test_year_one_and_nul_in_moderation_filters(moderator, one_published):
    api = token_client(moderator)
    for query in (
        {"submitted_from": "0001-01-01"},
        {"submitted_to": "9999-12-31"},
        {"q": "\x00"},
        {"region": "\x00"},
        {"election": "\x00"},
    ):
        response = api.get(reverse("api-moderation-list"), query)
        assert response.status_code in (200, 400), (query, response.status_code)


def test_nul_in_the_observer_form_is_refused(client, observer, election, region):
    client.force_login(observer.user)
    response = client.post(
        reverse("report-file", args=["other"]),
        {"region": region.pk, "occurred_at": "2021-01-10T10:00", "description": "a\x00b"},
    )
    assert response.status_code in (200, 400)
    assert response.status_code != 302


def test_streamed_exports_never_cut_a_200_body(client, election, region, monkeypatch):
    published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 8, tzinfo=datetime.UTC))
    from incidents.public import shape

    def broken(*args, **kwargs):
        raise RuntimeError("a row that cannot be written")

    monkeypatch.setattr(shape, "csv_row", broken)
    client.raise_request_exception = False
    response = client.get(reverse("incident-export-csv"))
    assert response.status_code == 500
    assert not getattr(response, "streaming", False)
    # The answer keeps the error's frames, and with them the open query (a server-side cursor on
    # PostgreSQL): close it inside this test's transaction.
    del response
    gc.collect()
