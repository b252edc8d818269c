"""The audit's smaller points, each stated as a rule."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents import services, tabular
from incidents.models import DatePrecision, Incident, Status
from incidents.services import TransitionForbidden

from .. import factories
from ..conftest import publish

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠"])
def test_full_width_formula_starts_are_escaped(start):
    assert tabular.safe_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'


def test_env_example_ships_debug_off():
    lines = (ROOT / ".env.example").read_text().splitlines()
    assert "DJANGO_DEBUG=false" in lines
    assert "DJANGO_DEBUG=true" not in lines


def test_map_tooltips_are_text_not_html():
    script = (ROOT / "static/js/map.js").read_text()
    assert "bindTooltip(feature.properties" not in script
    assert "bindTooltip(element.dataset" not in script
    assert "textContent" in script


def test_seed_incidents_refuses_without_debug_or_the_flag(settings, election, region):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_incidents", "--count", "1")
    assert not Incident.objects.exists()


@pytest.mark.django_db(transaction=True)  # it ends with VACUUM ANALYZE on PostgreSQL, outside any transaction
def test_seed_incidents_runs_with_the_flag(settings, election, region, polling_station):
    settings.DEBUG = False
    call_command("seed_incidents", "--count", "1", "--i-know-this-is-not-production")
    assert Incident.objects.count() == 1


@pytest.fixture
def day_only(submit, moderator):
    incident = submit(
        occurred_at=datetime.datetime(2021, 1, 10, 7, 42, 13, tzinfo=datetime.UTC),
        occurred_precision=DatePrecision.DAY,
    )
    return publish(incident, moderator)


def test_a_day_only_report_publishes_no_time(client, day_only):
    api = client.get(reverse("api-incident-detail", args=[day_only.reference])).json()
    assert "07:42" not in json.dumps(api) and "13" not in api["occurred_at"][11:]
    csv_text = content(client.get(reverse("incident-export-csv")))
    assert "07:42" not in csv_text and "12:42" not in csv_text
    geojson = content(client.get(reverse("incident-export-geojson")))
    assert "07:42" not in geojson and "12:42" not in geojson
    page = content(client.get(day_only.get_absolute_url()))
    assert '<time datetime="2021-01-10">' in page
    assert "07:42" not in page and "12:42" not in page


def test_a_sensitive_report_does_not_name_its_public_station(client, election, region, moderator, submit):
    station = factories.PollingStationFactory(
        election=election, region=region, number="75-999", latitude=Decimal("43.111111"), longitude=Decimal("76.222222")
    )
    incident = submit(
        polling_station=station, latitude=Decimal("43.238949"), longitude=Decimal("76.889709"), is_sensitive=True
    )
    incident = publish(incident, moderator)
    for url, query in (
        (incident.get_absolute_url(), {}),
        (reverse("api-incident-detail", args=[incident.reference]), {}),
        (reverse("incident-export-csv"), {}),
        (reverse("incident-export-geojson"), {}),
    ):
        text = content(client.get(url, query))
        assert "75-999" not in text, url
    assert incident.reference not in content(client.get(reverse("incident-list"), {"station": "75-999"}))


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", Status.PUBLISHED),
        ("assignee", None),
        ("published_at", None),
        ("verification", "confirmed"),
        ("duplicate_of", None),
        ("version", 99),
        ("reporter", None),
        ("retraction_notice", "x"),
    ],
)
def test_incident_edit_cannot_change_workflow_fields(submit, moderator, field, value):
    incident = submit()
    with pytest.raises((TransitionForbidden, ValidationError)):
        services.incident_edit(incident=incident, actor=moderator, changes={field: value})
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED and incident.version == 1
