"""OONI measurements as evidence: the import (file, command, API fetch), the cross-check of a blockage
report, attaching and detaching in the moderation page, and the outage-signal links."""

import datetime
import io
import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from incidents import outages, selectors, services
from incidents.imports import ooni
from incidents.models import BlockageMeasurement, EventAction, IncidentEvent, OoniMeasurement

from . import blockages, factories
from .blockages import (
    BEELINE_ANOMALY,
    DAY_BEFORE,
    END,
    KAZAKHTELECOM_ANOMALY,
    KAZAKHTELECOM_CONFIRMED,
    KAZAKHTELECOM_FAILED,
    KAZAKHTELECOM_PLAIN,
    KYRGYZSTAN,
    OONI_FILE,
    START,
    TELE2_PLAIN,
)

pytestmark = pytest.mark.django_db


def recorded():
    return json.loads(OONI_FILE.read_text())


# The import --------------------------------------------------------------------------------------------------------


def test_recorded_answer_is_stored_once():
    outcome = blockages.import_recorded()
    assert (outcome.created, outcome.existing) == (8, 0)
    assert outcome.countries == {"KZ", "KG"}
    confirmed = OoniMeasurement.objects.get(measurement_uid=KAZAKHTELECOM_CONFIRMED)
    assert confirmed.test_name == "whatsapp"
    assert (confirmed.probe_cc, confirmed.probe_asn, confirmed.probe_network_name) == ("KZ", 9198, "JSC Kazakhtelecom")
    assert confirmed.measurement_start_time == datetime.datetime(2021, 1, 10, 4, 30, 1, tzinfo=datetime.UTC)
    assert (confirmed.anomaly, confirmed.confirmed, confirmed.failure) == (True, True, False)
    assert confirmed.input == ""
    assert confirmed.explorer_url == f"https://explorer.ooni.org/m/{KAZAKHTELECOM_CONFIRMED}"
    assert OoniMeasurement.objects.get(measurement_uid=KAZAKHTELECOM_FAILED).failure is True

    again = blockages.import_recorded()
    assert (again.created, again.existing) == (0, 8)
    assert OoniMeasurement.objects.count() == 8


def test_a_uid_twice_in_one_file_is_stored_once():
    answer = recorded()
    answer["results"].append(dict(answer["results"][0]))
    assert ooni.import_answer(json.dumps(answer)).created == 8
    assert OoniMeasurement.objects.count() == 8


def test_numeric_asn_and_space_separated_time_are_read():
    answer = recorded()
    answer["results"][0]["probe_asn"] = 9198
    answer["results"][0]["measurement_start_time"] = "2021-01-10 04:15:12"
    ooni.import_answer(json.dumps(answer))
    row = OoniMeasurement.objects.get(measurement_uid=KAZAKHTELECOM_ANOMALY)
    assert row.probe_asn == 9198
    assert row.measurement_start_time == datetime.datetime(2021, 1, 10, 4, 15, 12, tzinfo=datetime.UTC)


def _broken(change):
    answer = recorded()
    change(answer)
    return json.dumps(answer).encode()


MALFORMED = {
    "not json": b"<html>502 Bad Gateway</html>",
    "no results": json.dumps({"metadata": {}, "error": "too many requests"}).encode(),
    "results not a list": json.dumps({"results": {"a": 1}}).encode(),
    "a list, not an answer": json.dumps([1, 2]).encode(),
    "last result without uid": _broken(lambda a: a["results"][-1].pop("measurement_uid")),
    "bad country": _broken(lambda a: a["results"][-1].update(probe_cc="Kazakhstan")),
    "bad asn": _broken(lambda a: a["results"][-1].update(probe_asn="Kazakhtelecom")),
    "bad time": _broken(lambda a: a["results"][-1].update(measurement_start_time="yesterday")),
    "flag not a boolean": _broken(lambda a: a["results"][-1].update(anomaly="yes")),
    "result not an object": _broken(lambda a: a["results"].append("oops")),
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_is_refused_with_nothing_written(content):
    with pytest.raises(ooni.OoniFileError):
        ooni.import_answer(content)
    assert OoniMeasurement.objects.count() == 0


def test_import_command(tmp_path):
    out = io.StringIO()
    call_command("import_ooni", str(OONI_FILE), stdout=out)
    assert "8 measurement(s) added, 0 already stored" in out.getvalue()
    call_command("import_ooni", str(OONI_FILE), stdout=out)
    assert "0 measurement(s) added, 8 already stored" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_ooni", str(bad), stderr=err)
    assert exit_info.value.code == 2 and "Nothing was imported" in err.getvalue()


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def test_fetch_is_off_without_the_setting(settings):
    settings.OBSERVER_OONI_API_URL = ""
    with mock.patch("urllib.request.urlopen") as urlopen, pytest.raises(ooni.OoniFetchDisabled):
        ooni.fetch_measurements(country="KZ", since=datetime.date(2021, 1, 9), until=datetime.date(2021, 1, 11))
    urlopen.assert_not_called()
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("fetch_ooni", "--country", "KZ", "--since", "2021-01-09", "--until", "2021-01-11", stderr=err)
    assert "not enabled" in err.getvalue()


def test_fetch_reads_every_page_then_stores(settings):
    settings.OBSERVER_OONI_API_URL = "https://api.ooni.example"
    answer = recorded()
    first = {"metadata": {"next_url": "https://api.ooni.example/api/v1/measurements?offset=4"}}
    first["results"] = answer["results"][:4]
    second = {"metadata": {"next_url": None}, "results": answer["results"][4:]}
    pages = [FakeResponse(json.dumps(first).encode()), FakeResponse(json.dumps(second).encode())]
    with mock.patch("urllib.request.urlopen", side_effect=pages) as urlopen:
        out = io.StringIO()
        call_command("fetch_ooni", "--country", "kz", "--since", "2021-01-09", "--until", "2021-01-11", stdout=out)
    asked = [call.args[0].full_url for call in urlopen.call_args_list]
    assert asked[0] == (
        "https://api.ooni.example/api/v1/measurements?probe_cc=KZ&since=2021-01-09&until=2021-01-11&limit=1000"
    )
    assert asked[1] == "https://api.ooni.example/api/v1/measurements?offset=4"
    assert "8 measurement(s) added" in out.getvalue()
    assert OoniMeasurement.objects.count() == 8


def test_fetch_with_a_bad_page_writes_nothing(settings):
    settings.OBSERVER_OONI_API_URL = "https://api.ooni.example"
    first = {"metadata": {"next_url": "https://api.ooni.example/api/v1/measurements?offset=4"}}
    first["results"] = recorded()["results"][:4]
    pages = [FakeResponse(json.dumps(first).encode()), FakeResponse(b"Service Unavailable")]
    with mock.patch("urllib.request.urlopen", side_effect=pages), pytest.raises(ooni.OoniFileError):
        ooni.fetch_measurements(country="KZ", since=datetime.date(2021, 1, 9), until=datetime.date(2021, 1, 11))
    assert OoniMeasurement.objects.count() == 0


def test_fetch_refuses_a_next_page_on_another_host(settings):
    settings.OBSERVER_OONI_API_URL = "https://api.ooni.example"
    first = {"metadata": {"next_url": "https://elsewhere.example/steal"}, "results": []}
    with (
        mock.patch("urllib.request.urlopen", side_effect=[FakeResponse(json.dumps(first).encode())]),
        pytest.raises(ooni.OoniFileError),
    ):
        ooni.fetch_measurements(country="KZ", since=datetime.date(2021, 1, 9), until=datetime.date(2021, 1, 11))


def test_fetch_task_runs_the_same_fetch(settings):
    settings.OBSERVER_OONI_API_URL = "https://api.ooni.example"
    with mock.patch("urllib.request.urlopen", side_effect=[FakeResponse(OONI_FILE.read_bytes())]):
        assert ooni.fetch_ooni_task.apply(args=("KZ", "2021-01-09", "2021-01-11")).get() == {
            "created": 8,
            "existing": 0,
        }


def test_coordinator_imports_in_the_admin(client, force_login_verified, coordinator, moderator):
    url = reverse("admin:incidents_oonimeasurement_import")
    force_login_verified(moderator)
    assert client.get(url).status_code == 403  # moderators see measurements, coordinators import them
    force_login_verified(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "api/v1/measurements?probe_cc=KZ" in page.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile("bad.json", b"not json")})
    assert bad.status_code == 400 and "Nothing was imported" in bad.content.decode()
    assert OoniMeasurement.objects.count() == 0
    good = client.post(url, {"file": SimpleUploadedFile("kz.json", OONI_FILE.read_bytes())}, follow=True)
    assert "8 measurement(s) added, 0 already stored" in good.content.decode()
    changelist = client.get(reverse("admin:incidents_oonimeasurement_changelist"))
    assert changelist.status_code == 200 and KAZAKHTELECOM_CONFIRMED in changelist.content.decode()


# The cross-check ---------------------------------------------------------------------------------------------------


@pytest.fixture
def blockage(election, region, observer):
    blockages.import_recorded()
    return blockages.submit_blockage(reporter=observer, election=election, region=region)


def listed(check):
    return [measurement.measurement_uid for measurement in check.measurements]


def test_cross_check_lists_the_reports_country_networks_and_window(blockage):
    check = selectors.blockage_cross_check(blockage)
    assert (check.country, check.asns) == ("KZ", [9198])
    # 04:00-06:00 UTC, 3 hours either side: Kazakhtelecom's measurements, blocking confirmed first, then anomalies
    assert listed(check) == [KAZAKHTELECOM_CONFIRMED, KAZAKHTELECOM_ANOMALY, KAZAKHTELECOM_PLAIN, KAZAKHTELECOM_FAILED]
    assert check.anomalies == 2
    assert (check.since, check.until) == (START - datetime.timedelta(hours=3), END + datetime.timedelta(hours=3))


def test_cross_check_without_networks_lists_the_whole_country(blockage):
    blockage = services.incident_edit(
        incident=blockage,
        actor=factories.ModeratorFactory(),
        changes={},
        detail_changes={"providers": "mobile operators"},
    )
    check = selectors.blockage_cross_check(blockage)
    assert check.asns == []
    assert listed(check) == [
        KAZAKHTELECOM_CONFIRMED,
        KAZAKHTELECOM_ANOMALY,
        BEELINE_ANOMALY,
        KAZAKHTELECOM_PLAIN,
        TELE2_PLAIN,
        KAZAKHTELECOM_FAILED,
    ]
    assert KYRGYZSTAN not in listed(check) and DAY_BEFORE not in listed(check)


def test_the_margin_is_a_setting(blockage, settings):
    settings.OBSERVER_OONI_WINDOW_MARGIN_HOURS = 0
    assert listed(selectors.blockage_cross_check(blockage)) == [
        KAZAKHTELECOM_CONFIRMED,
        KAZAKHTELECOM_ANOMALY,
        KAZAKHTELECOM_PLAIN,
    ]


def test_an_ongoing_blockage_is_checked_up_to_now(election, region, observer, settings):
    blockages.import_recorded()
    settings.OBSERVER_OONI_WINDOW_MARGIN_HOURS = 0
    ongoing = blockages.submit_blockage(
        reporter=observer, election=election, region=region, started_at=START, ended_at=None, providers=""
    )
    now = datetime.datetime(2021, 1, 10, 5, 30, tzinfo=datetime.UTC)
    check = selectors.blockage_cross_check(ongoing, now=now)
    assert check.ongoing and check.until == now
    assert listed(check) == [KAZAKHTELECOM_CONFIRMED, KAZAKHTELECOM_ANOMALY, BEELINE_ANOMALY, KAZAKHTELECOM_PLAIN]


def test_other_kinds_have_no_cross_check(submit):
    assert selectors.blockage_cross_check(submit()) is None


# Attaching in the moderation page ------------------------------------------------------------------------------------


def evidence_url(incident):
    return reverse("admin:incidents_oonimeasurement_evidence", args=[incident.pk])


def page_url(incident):
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def uid_pk(uid):
    return OoniMeasurement.objects.get(measurement_uid=uid).pk


def test_moderation_page_lists_the_cross_check_and_outage_links(client, force_login_verified, moderator, blockage):
    force_login_verified(moderator)
    page = client.get(page_url(blockage)).content.decode()
    section = page[page.index('id="blockage-evidence"') :]
    assert (
        section.index(KAZAKHTELECOM_CONFIRMED)
        < section.index(KAZAKHTELECOM_ANOMALY)
        < section.index(KAZAKHTELECOM_PLAIN)
    )
    assert BEELINE_ANOMALY not in section and KYRGYZSTAN not in section
    assert "https://ioda.inetintel.cc.gatech.edu/asn/9198?from=" in section
    assert "https://radar.cloudflare.com/as9198" in section


def test_attach_and_detach_are_recorded_in_the_history(client, force_login_verified, moderator, blockage):
    force_login_verified(moderator)
    pk = uid_pk(KAZAKHTELECOM_CONFIRMED)
    response = client.post(evidence_url(blockage), {"attach": pk, "comment": "WhatsApp blocked, as reported"})
    assert response.status_code == 302 and response["Location"].endswith("#blockage-evidence")
    client.post(evidence_url(blockage), {"attach": pk})  # a retried click
    assert list(BlockageMeasurement.objects.values_list("incident", "measurement")) == [(blockage.pk, pk)]
    client.post(evidence_url(blockage), {"detach": pk})
    assert not BlockageMeasurement.objects.exists()
    events = list(
        IncidentEvent.objects.filter(incident=blockage, action__startswith="ooni").values_list(
            "action", "actor", "comment", "changes"
        )
    )
    assert events == [
        (
            EventAction.OONI_ATTACHED,
            moderator.pk,
            "WhatsApp blocked, as reported",
            {"ooni_measurement": [None, KAZAKHTELECOM_CONFIRMED]},
        ),
        (EventAction.OONI_DETACHED, moderator.pk, "", {"ooni_measurement": [KAZAKHTELECOM_CONFIRMED, None]}),
    ]


def test_no_support_is_noted_in_the_history(client, force_login_verified, moderator, blockage):
    force_login_verified(moderator)
    client.post(evidence_url(blockage), {"none_supports": "1", "comment": "all measurements normal"})
    event = IncidentEvent.objects.get(incident=blockage, action=EventAction.OONI_NONE)
    assert (event.actor_id, event.comment, event.changes) == (
        moderator.pk,
        "all measurements normal",
        {"ooni_measurements_listed": [None, 4]},
    )
    assert "no measurement supports it" in client.get(page_url(blockage)).content.decode()


def test_a_measurement_outside_the_cross_check_is_refused(client, force_login_verified, moderator, blockage):
    force_login_verified(moderator)
    for uid in (BEELINE_ANOMALY, KYRGYZSTAN, DAY_BEFORE):
        response = client.post(evidence_url(blockage), {"attach": uid_pk(uid)}, follow=True)
        assert "not one of this report" in response.content.decode()
    assert not BlockageMeasurement.objects.exists()


def test_only_moderators_attach(client, force_login_verified, blockage):
    force_login_verified(factories.UserFactory(is_staff=True))  # staff, without the moderators' permission
    assert client.post(evidence_url(blockage), {"attach": uid_pk(KAZAKHTELECOM_CONFIRMED)}).status_code == 403
    assert not BlockageMeasurement.objects.exists()
    with pytest.raises(services.TransitionForbidden):
        services.measurement_attach(
            incident=blockage,
            measurement=OoniMeasurement.objects.first(),
            actor=factories.ObserverFactory().user,
        )


def test_measurements_attach_to_blockages_only(submit, moderator):
    blockages.import_recorded()
    with pytest.raises(Exception, match="internet blockages only"):
        services.measurement_attach(incident=submit(), measurement=OoniMeasurement.objects.first(), actor=moderator)
    assert not BlockageMeasurement.objects.exists()


def test_moderation_page_query_count(client, force_login_verified, moderator, blockage, django_assert_max_num_queries):
    force_login_verified(moderator)
    client.get(page_url(blockage))  # warm the session and permission caches
    many = [
        OoniMeasurement(
            measurement_uid=f"2021011004{index:04d}.000000_KZ_webconnectivity_{index:016x}",
            test_name="web_connectivity",
            probe_cc="KZ",
            probe_asn=9198,
            input=f"https://site{index}.example/",
            measurement_start_time=START + datetime.timedelta(seconds=index),
            anomaly=index % 3 == 0,
        )
        for index in range(300)
    ]
    OoniMeasurement.objects.bulk_create(many)
    for measurement in many[:20]:
        services.measurement_attach(incident=blockage, measurement=measurement, actor=moderator)
    with django_assert_max_num_queries(45) as captured:
        assert client.get(page_url(blockage)).status_code == 200
    baseline = len(captured)
    for measurement in many[20:60]:
        services.measurement_attach(incident=blockage, measurement=measurement, actor=moderator)
    with django_assert_max_num_queries(baseline):
        assert client.get(page_url(blockage)).status_code == 200


# Outage-signal links (pure) ---------------------------------------------------------------------------------------


def test_asns_named_in_a_report():
    assert outages.asns_named("Kazakhtelecom (AS9198), Beeline AS 21299, asn: 48503; again as9198") == [
        9198,
        21299,
        48503,
    ]
    assert outages.asns_named("Kazakhtelecom, mobile data") == []
    assert outages.asns_named("") == []
    assert outages.asns_named("AS0 and AS99999999999") == []


def test_outage_links_for_a_country_networks_and_window():
    since = datetime.datetime(2021, 1, 10, 1, 0, tzinfo=datetime.UTC)
    until = datetime.datetime(2021, 1, 10, 9, 0, tzinfo=datetime.UTC)
    links = outages.outage_links(country="kz", asns=[9198], since=since, until=until)
    assert [link.url for link in links] == [
        "https://ioda.inetintel.cc.gatech.edu/country/KZ?from=1610240400&until=1610269200",
        "https://radar.cloudflare.com/kz",
        "https://ioda.inetintel.cc.gatech.edu/asn/9198?from=1610240400&until=1610269200",
        "https://radar.cloudflare.com/as9198",
    ]
    assert [link.url for link in outages.outage_links(country="KZ")] == [
        "https://ioda.inetintel.cc.gatech.edu/country/KZ",
        "https://radar.cloudflare.com/kz",
    ]


def test_measurement_window():
    margin = datetime.timedelta(hours=2)
    now = datetime.datetime(2021, 1, 11, tzinfo=datetime.UTC)
    assert outages.measurement_window(start=START, end=END, occurred_at=now, now=now, margin=margin) == (
        START - margin,
        END + margin,
    )
    # no start: from when it was reported to have happened; no end: up to now
    assert outages.measurement_window(start=None, end=None, occurred_at=START, now=now, margin=margin) == (
        START - margin,
        now + margin,
    )
