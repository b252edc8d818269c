"""The public side of a blockage: its time line, services, networks and evidence on the incident and region
pages, the STOP export (pages and API), the public shape and API fields, and that nothing private leaks."""

import csv
import datetime
import io
import itertools
import json
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from incidents import services
from incidents.models import OoniMeasurement
from incidents.public import stop, timeline

from . import blockages, factories
from .blockages import KAZAKHTELECOM_ANOMALY, KAZAKHTELECOM_CONFIRMED, START
from .conftest import publish
from .public_data import published

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


@pytest.fixture
def fully_filled_blockage(election, region, polling_station):
    """A published blockage with every private field filled with a recognizable value and two measurements attached."""
    blockages.import_recorded()
    moderator = factories.ModeratorFactory(username="moderator-private-login")
    reporter = factories.ObserverFactory(
        user__username="reporter-private-login",
        user__email="reporter.private@example.org",
        user__first_name="Privatename",
        user__last_name="Reporterova",
        phone="+7 701 999 1234",
        accreditation_number="ACC-PRIVATE-777",
    )
    incident = services.incident_submit(
        reporter=reporter,
        election=election,
        kind="internet_blockage",
        region=region,
        polling_station=polling_station,
        occurred_at=START,
        occurred_precision="exact",
        location_text="Behind the PRIVATE-LOCATION school gym",
        description="PRIVATE-DESCRIPTION: my phone lost the internet at my neighbour's flat.",
        details=blockages.blockage_details(measurement_url="https://explorer.ooni.org/m/20210110043001.552103_KZ_x"),
        source_url="https://private-source.example.org/PRIVATE-SOURCE",
        client_token="private-client-token-123",
    ).incident
    factories.AttachmentFactory(
        incident=incident, original_name="PRIVATE-FILENAME.pdf", is_public=False, content=b"%PDF-1.4 private"
    )
    for uid in (KAZAKHTELECOM_CONFIRMED, KAZAKHTELECOM_ANOMALY):
        services.measurement_attach(
            incident=incident,
            measurement=OoniMeasurement.objects.get(measurement_uid=uid),
            actor=moderator,
            comment="PRIVATE-MODERATOR-NOTE",
        )
    services.measurements_none_support(incident=incident, actor=moderator, comment="PRIVATE-NONE-NOTE")
    incident = publish(incident, moderator, summary="Mobile internet was cut in Almaty while ballots were cast.")
    private = [
        "reporter-private-login",
        "moderator-private-login",
        "reporter.private@example.org",
        "Privatename",
        "Reporterova",
        "+7 701 999 1234",
        "ACC-PRIVATE-777",
        "PRIVATE-LOCATION",
        "PRIVATE-DESCRIPTION",
        "PRIVATE-SOURCE",
        "private-client-token-123",
        "PRIVATE-FILENAME",
        "PRIVATE-MODERATOR-NOTE",
        "PRIVATE-NONE-NOTE",
    ]
    return incident, private


def stop_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), text


def test_stop_export_columns_and_values_for_a_fully_filled_blockage(client, fully_filled_blockage):
    incident, _private = fully_filled_blockage
    response = client.get(reverse("incident-export-stop"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows, text = stop_rows(response)
    header = next(csv.reader(io.StringIO(text)))
    # STOP's 36 columns in STOP's order, then Observer's
    assert header[:36] == [
        "start_date_type", "start_date", "country", "geo_scope", "area_name", "shutdown_type", "affected_network",
        "shutdown_extent", "ordered_by", "decision_maker", "actual_cause", "actual_cause_details", "info_source",
        "info_source_link", "shutdown_status", "end_date", "duration", "gov_justification", "gov_ack",
        "facebook_affected", "twitter_affected", "whatsapp_affected", "instagram_affected", "telegram_affected",
        "other_affected", "sms_affected", "phonecall_affected", "telcos_involved", "election", "violence",
        "hr_abuse_reported", "users_targeted", "users_target_detail", "event", "an_link", "region",
    ]  # fmt: skip
    assert header[36:] == list(stop.OBSERVER_COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    expected = {
        "start_date_type": "Actual",
        "start_date": "2021-01-10",  # 04:00 UTC is 10:00 in Almaty
        "country": "KZ",
        "geo_scope": "It affected only one city, county, or village",
        "area_name": "Almaty",
        "shutdown_type": "Shutdown",
        "affected_network": "Mobile",
        "shutdown_extent": "Full network, Service-based",
        "ordered_by": "Executive government",
        "actual_cause": "Elections",
        "info_source": "Election observers",
        "info_source_link": "https://news.example.org/almaty-internet; https://statement.example.org/ministry",
        "shutdown_status": "Ended",
        "end_date": "2021-01-10",
        "duration": "1",
        "gov_justification": "Technical works on the network, said the ministry.",
        "gov_ack": "No",
        "facebook_affected": "No",
        "twitter_affected": "No",
        "whatsapp_affected": "Yes",
        "instagram_affected": "No",
        "telegram_affected": "Yes",
        "other_affected": "YouTube",
        "sms_affected": "No",
        "phonecall_affected": "No",
        "telcos_involved": "Kazakhtelecom (AS9198)",
        "election": "Yes",
        "event": "Mobile internet was cut in Almaty while ballots were cast.",
        "observer_reference": incident.reference,
        "observer_url": f"http://testserver/incidents/{incident.reference}/",
        "observer_verification": "confirmed",
        "started_at_utc": "2021-01-10T04:00:00+00:00",
        "ended_at_utc": "2021-01-10T06:00:00+00:00",
        "ooni_measurement_count": "2",
        "ooni_measurements": f"https://explorer.ooni.org/m/{KAZAKHTELECOM_ANOMALY} "
        f"https://explorer.ooni.org/m/{KAZAKHTELECOM_CONFIRMED}",
        "measurement_url": "https://explorer.ooni.org/m/20210110043001.552103_KZ_x",
    }
    assert {column: row[column] for column in expected} == expected
    # What Observer does not record is left empty, not guessed
    for column in ("decision_maker", "actual_cause_details", "violence", "hr_abuse_reported", "an_link", "region"):
        assert row[column] == ""


def test_no_private_value_in_any_public_surface_of_a_blockage(client, fully_filled_blockage):
    incident, private = fully_filled_blockage
    surfaces = [
        reverse("incident-export-stop"),
        reverse("api-incident-stop-csv"),
        reverse("incident-export-csv"),
        reverse("incident-export-geojson"),
        reverse("api-incident-list"),
        reverse("api-incident-detail", args=[incident.reference]),
        incident.get_absolute_url(),
        incident.region.get_absolute_url(),
    ]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        found = [value for value in private if value in text]
        assert not found, f"{url} leaks {found}"


def test_stop_export_has_blockages_only_and_follows_the_filters(client, election, region):
    blockage = published(election, region, kind="internet_blockage")
    published(election, region, kind="detention")
    other_region = factories.RegionFactory(code="KZ-59")
    published(election, other_region, kind="internet_blockage")
    rows, _text = stop_rows(client.get(reverse("incident-export-stop"), {"region": region.code}))
    assert [row["observer_reference"] for row in rows] == [blockage.reference]
    assert client.get(reverse("incident-export-stop"), {"date_from": "not a date"}).status_code == 400


def test_stop_export_of_an_ongoing_national_blockage(client, election, observer, moderator):
    incident = blockages.submit_blockage(
        reporter=observer,
        election=election,
        region=None,
        scope="national",
        blockage_type="platform_block",
        ended_at=None,
        officially_acknowledged=None,
        ordered_by="",
    )
    publish(incident, moderator)
    (row,), _text = stop_rows(client.get(reverse("incident-export-stop")))
    assert (row["shutdown_status"], row["end_date"], row["duration"]) == ("Ongoing", "", "")
    assert (row["geo_scope"], row["area_name"]) == ("It affected the whole country", "Nationwide")
    assert (row["shutdown_extent"], row["gov_ack"], row["ordered_by"]) == ("Service-based", "", "")


def test_api_stop_csv_is_the_same_as_the_page_export(client, fully_filled_blockage):
    page_rows, _ = stop_rows(client.get(reverse("incident-export-stop")))
    api_rows, _ = stop_rows(client.get(reverse("api-incident-stop-csv")))
    assert api_rows == page_rows
    bad = client.get(reverse("api-incident-stop-csv"), {"kind": "nonsense"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")


def test_openapi_describes_the_stop_export_and_the_measurements(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert "/api/v1/incidents-stop.csv" in schema["paths"]
    fields = schema["components"]["schemas"]["PublicIncident"]["properties"]
    assert {"ooni_measurement_count", "ooni_measurements"} <= set(fields)
    blockage = schema["components"]["schemas"]["PublicInternetBlockage"]["properties"]
    assert {"ordered_by", "officially_acknowledged", "source_links"} <= set(blockage)


def test_api_and_exports_give_the_attached_measurements(client, fully_filled_blockage):
    incident, _private = fully_filled_blockage
    data = client.get(reverse("api-incident-detail", args=[incident.reference])).json()
    assert data["ooni_measurement_count"] == 2
    assert [m["measurement_uid"] for m in data["ooni_measurements"]] == [KAZAKHTELECOM_ANOMALY, KAZAKHTELECOM_CONFIRMED]
    confirmed = data["ooni_measurements"][1]
    assert confirmed == {
        "measurement_uid": KAZAKHTELECOM_CONFIRMED,
        "url": f"https://explorer.ooni.org/m/{KAZAKHTELECOM_CONFIRMED}",
        "test_name": "whatsapp",
        "probe_cc": "KZ",
        "probe_asn": "AS9198",
        "probe_network_name": "JSC Kazakhtelecom",
        "input": None,
        "measurement_start_time": "2021-01-10T04:30:01+00:00",
        "anomaly": True,
        "confirmed": True,
        "failure": False,
    }
    assert data["details"]["ordered_by"] == "executive"
    response = client.get(reverse("incident-export-csv"))
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert row["ooni_measurement_count"] == "2"
    assert row["ooni_measurements"].split() == [
        f"https://explorer.ooni.org/m/{KAZAKHTELECOM_ANOMALY}",
        f"https://explorer.ooni.org/m/{KAZAKHTELECOM_CONFIRMED}",
    ]
    geojson = json.loads(b"".join(client.get(reverse("incident-export-geojson")).streaming_content))
    assert geojson["features"][0]["properties"]["ooni_measurement_count"] == 2


def test_incident_page_shows_the_time_line_services_networks_and_evidence(client, fully_filled_blockage):
    incident, _private = fully_filled_blockage
    page = client.get(incident.get_absolute_url()).content.decode()
    section = page[page.index('class="blockage"') :]
    assert "<svg" in section and "When the internet was blocked" in section
    assert "from Jan. 10, 2021, 10 a.m. to Jan. 10, 2021, noon" in section  # Almaty time
    assert "WhatsApp, Telegram, YouTube" in section
    assert "Kazakhtelecom (AS9198)" in section
    assert "2 OONI measurements support it" in section
    assert f"https://explorer.ooni.org/m/{KAZAKHTELECOM_CONFIRMED}" in section
    assert "https://news.example.org/almaty-internet" in section
    assert "https://radar.cloudflare.com/as9198" in section


def test_detaching_clears_the_cached_public_page(
    client, fully_filled_blockage, moderator, django_capture_on_commit_callbacks
):
    incident, _private = fully_filled_blockage
    assert "2 OONI measurements support it" in client.get(incident.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_detach(
            incident=incident,
            measurement=OoniMeasurement.objects.get(measurement_uid=KAZAKHTELECOM_ANOMALY),
            actor=moderator,
        )
    assert "1 OONI measurement supports it" in client.get(incident.get_absolute_url()).content.decode()


def test_region_page_lists_its_blockages_with_their_time_lines(client, election, region, observer, moderator):
    first = publish(blockages.submit_blockage(reporter=observer, election=election, region=region), moderator)
    second = publish(
        blockages.submit_blockage(
            reporter=observer,
            election=election,
            region=region,
            started_at=START + datetime.timedelta(hours=3),
            ended_at=None,
        ),
        moderator,
    )
    published(election, region, kind="detention")
    page = client.get(region.get_absolute_url()).content.decode()
    section = page[page.index('id="blockages-heading"') :]
    assert "<svg" in section
    assert first.reference in section and second.reference in section
    assert "ongoing" in section


def test_blockage_pages_query_counts(client, election, region, moderator, django_assert_max_num_queries):
    blockages.import_recorded()
    measurements = list(OoniMeasurement.objects.all())
    rows = [published(election, region, kind="internet_blockage") for _ in range(30)]
    for incident in rows:
        for measurement in measurements[:3]:
            services.measurement_attach(incident=incident, measurement=measurement, actor=moderator)
    # as tests/test_public_pages.py counts the region page (blockages, forensics link, election switcher,
    # PVT sample, the country's map, the latest incidents' cards not cached yet): a fixed number
    # however many blockages and measurements
    with django_assert_max_num_queries(18):
        assert client.get(region.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(rows[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(reverse("incident-export-stop"))
        assert len(stop_rows(response)[0]) == 30
    with django_assert_max_num_queries(8):
        assert client.get(reverse("incident-list")).status_code == 200


# The time line (pure) ----------------------------------------------------------------------------------------------


def test_timeline_of_two_blockages():
    first = timeline.TimelineRow("A", "A", START, START + datetime.timedelta(hours=2))
    second = timeline.TimelineRow("B", "B", START + datetime.timedelta(hours=3), None)
    now = START + datetime.timedelta(days=400)
    chart = timeline.blockage_timeline([second, first], now=now, zone=ALMATY)
    # The axis: 04:00 to the ongoing one's start + 12 h (07:00 + 12 h = 19:00 UTC), 15 hours
    assert (chart.axis_start, chart.axis_end) == (START, START + datetime.timedelta(hours=15))
    a, b = chart.bars
    assert (a.key, a.x, a.width, a.ongoing) == ("A", 0.0, round(320 * 2 / 15, 1), False)
    assert (b.key, b.x, b.width, b.ongoing) == ("B", round(320 * 3 / 15, 1), round(320 * 12 / 15, 1), True)
    # 15 hours: a tick every 3 hours of Almaty's time (UTC+6), from noon (06:00 UTC, 2 hours in) to midnight
    assert [tick.x for tick in chart.ticks] == [round(320 * hours / 15, 1) for hours in (2, 5, 8, 11, 14)]
    with translation.override("en"):
        labels = [tick.label for tick in timeline.ticks(chart.axis_start, chart.axis_end, ALMATY)]
    assert labels == ["noon", "3 p.m.", "6 p.m.", "9 p.m.", "midnight"]


def test_timeline_never_runs_past_now_and_an_instant_is_seen():
    now = START + datetime.timedelta(hours=1)
    ongoing = timeline.TimelineRow("A", "A", START, None)
    chart = timeline.blockage_timeline([ongoing], now=now, zone=ALMATY)
    assert chart.axis_end == now
    instant = timeline.TimelineRow("B", "B", START, START)
    chart = timeline.blockage_timeline([instant], now=now, zone=ALMATY)
    assert chart.axis_end == START + datetime.timedelta(hours=1) and chart.bars[0].width == 2.0
    assert timeline.blockage_timeline([], now=now, zone=ALMATY) is None


def test_duration_in_days_as_stop_counts_them():
    assert stop.duration_days(datetime.date(2022, 9, 21), datetime.date(2022, 10, 7)) == 17
    assert stop.duration_days(datetime.date(2021, 1, 10), datetime.date(2021, 1, 10)) == 1
    assert stop.duration_days(datetime.date(2021, 1, 10), None) is None


@pytest.mark.parametrize("hours", [1, 5, 12, 15, 30, 72, 24 * 40, 24 * 400])
def test_timeline_ticks_leave_room_for_their_labels_at_360_px(hours):
    ticks = timeline.ticks(START, START + datetime.timedelta(hours=hours), ALMATY)
    assert 1 <= len(ticks) <= timeline.MAX_TICKS
    assert all(right.x - left.x >= 60 for left, right in itertools.pairwise(ticks)), ticks


def test_timeline_ticks_of_twelve_hours_fall_every_three_hours():
    ticks = timeline.ticks(START, START + datetime.timedelta(hours=12), ALMATY)
    # 04:00 UTC is 10:00 in Almaty: ticks at 12:00, 15:00, 18:00 and 21:00, 2, 5, 8 and 11 hours in
    assert [tick.x for tick in ticks] == [round(320 * hours / 12, 1) for hours in (2, 5, 8, 11)]
