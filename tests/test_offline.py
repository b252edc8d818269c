"""The server's side of the observers' offline app: its pages, the carried file and its upload.

The phone's side (saving, sending, the PIN, the wipe, exporting in the browser)
is in tests/browser/test_offline.py.
"""

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from incidents.api import idempotency
from incidents.models import Attachment, EventAction, Incident, IncidentEvent
from incidents.report import outbox_file
from incidents.report.outbox_file import OutboxFileRefused
from incidents.services.carried import carried_outbox_file

from . import factories
from .samples import jpeg_with_gps

pytestmark = pytest.mark.django_db


def pem_of(private_key):
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def site_key(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.OBSERVER_OUTBOX_PRIVATE_KEY = pem_of(key)
    return key


def carried(site_key, reports):
    """A file as the phone saves it (the same scheme, sealed here with `cryptography`)."""
    content = {
        "format": "observer-outbox",
        "version": 1,
        "reports": [
            {
                "pass": report["pass"],
                "key": report["key"],
                "body": report["body"],
                "files": [
                    {"name": name, "type": kind, "data": base64.b64encode(data).decode()}
                    for name, kind, data in report.get("files", [])
                ],
            }
            for report in reports
        ],
    }
    return outbox_file.seal(outbox_file.public_point(site_key), json.dumps(content).encode())


def report_of(observer, key, description="Police took two people from the square.", files=()):
    return {
        "pass": outbox_file.observer_pass(observer),
        "key": key,
        "body": {
            "kind": "detention",
            "region": "KZ-75",
            "occurred_at": "2021-01-10T10:30",
            "occurred_precision": "exact",
            "description": description,
            "details": {"people_detained": 2, "detained_groups": ["protesters"], "detained_by": "police"},
        },
        "files": list(files),
    }


# The scheme ---------------------------------------------------------------------------------------------------------


def test_a_sealed_file_opens_with_the_site_key_only(site_key):
    sealed = outbox_file.seal(outbox_file.public_point(site_key), b'{"hello": 1}')
    assert outbox_file.open_sealed(sealed, site_key) == b'{"hello": 1}'
    assert sealed[:8] == b"OBSVOUT1" and len(sealed) == outbox_file.HEADER_BYTES + len(b'{"hello": 1}') + 16
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(OutboxFileRefused, match="another site's key"):
        outbox_file.open_sealed(sealed, other)


@pytest.mark.parametrize("position", [8, 20, 100, -1])  # key id, ephemeral key, ciphertext, tag
def test_any_changed_byte_refuses_the_file(site_key, position):
    sealed = bytearray(outbox_file.seal(outbox_file.public_point(site_key), b'{"hello": 1}' * 10))
    sealed[position] ^= 0x01
    with pytest.raises(OutboxFileRefused):
        outbox_file.open_sealed(bytes(sealed), site_key)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 a zip file", b"OBSVOUT1" + b"\0" * 40])
def test_something_else_is_not_an_outbox_file(site_key, data):
    with pytest.raises(OutboxFileRefused, match="not an outbox file"):
        outbox_file.open_sealed(data, site_key)


def test_a_pass_names_its_observer_and_nothing_else(observer):
    token = outbox_file.observer_pass(observer)
    assert outbox_file.observer_from_pass(token) == observer
    assert outbox_file.observer_from_pass(token[:-2] + "xx") is None
    observer.user.is_active = False
    observer.user.save()
    assert outbox_file.observer_from_pass(token) is None


def test_outbox_keygen_prints_a_key_the_site_accepts():
    out = io.StringIO()
    call_command("outbox_keygen", stdout=out)
    key = outbox_file.private_key_from_pem(out.getvalue())
    assert isinstance(key.curve, ec.SECP256R1)
    line = io.StringIO()
    call_command("outbox_keygen", "--env", stdout=line)
    assert line.getvalue().startswith('OBSERVER_OUTBOX_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n')


# The upload service ------------------------------------------------------------------------------------------------


def test_each_report_of_a_file_is_filed_once_under_its_observer(site_key, election, region, observer, coordinator):
    other = factories.ObserverFactory()
    data = carried(
        site_key,
        [
            report_of(observer, "k-1", files=[("IMG_1.jpg", "image/jpeg", jpeg_with_gps().read())]),
            report_of(other, "k-2", description="Observers were kept out of station 12."),
        ],
    )
    first = carried_outbox_file(data=data, actor=coordinator)
    assert [incident.reporter for incident in first.filed] == [observer, other] and first.already == []
    again = carried_outbox_file(data=data, actor=coordinator)
    assert again.filed == [] and {i.pk for i in again.already} == {i.pk for i in first.filed}
    assert Incident.objects.count() == 2
    assert IncidentEvent.objects.filter(action=EventAction.SUBMITTED).count() == 2
    photo = Attachment.objects.get()
    assert photo.incident.reporter == observer
    image = Image.open(photo.file)
    assert not image.getexif()  # stripped by the server as every file


def test_a_report_the_phone_sent_itself_is_not_filed_again(site_key, election, region, observer, coordinator):
    from .api.conftest import token_client

    report = report_of(observer, "3f9a-phone-key")
    api = token_client(observer.user)
    body = {**report["body"], "details": json.dumps(report["body"]["details"])}
    sent = api.post(reverse("api-report-list"), body, format="multipart", HTTP_IDEMPOTENCY_KEY=report["key"])
    assert sent.status_code == 201
    result = carried_outbox_file(data=carried(site_key, [report]), actor=coordinator)
    assert result.filed == [] and result.already[0].reference == sent.json()["reference"]
    assert Incident.objects.count() == 1


def test_the_same_key_is_per_observer(site_key, election, region, observer, coordinator):
    other = factories.ObserverFactory()
    result = carried_outbox_file(
        data=carried(site_key, [report_of(observer, "same"), report_of(other, "same")]), actor=coordinator
    )
    assert len(result.filed) == 2
    assert Incident.objects.get(reporter=observer).client_token == idempotency.client_token(observer, "same")


def test_a_tampered_file_writes_nothing(site_key, election, region, observer, coordinator):
    data = bytearray(carried(site_key, [report_of(observer, "k-1"), report_of(observer, "k-2")]))
    data[len(data) // 2] ^= 0x40
    with pytest.raises(OutboxFileRefused, match="damaged"):
        carried_outbox_file(data=bytes(data), actor=coordinator)
    assert Incident.objects.count() == 0


def test_one_refused_report_refuses_the_whole_file(site_key, election, region, observer, coordinator):
    bad = report_of(observer, "k-2")
    bad["body"]["details"]["people_detained"] = 200_000
    with pytest.raises(OutboxFileRefused, match=r"Report 2 of 2 .*people_detained"):
        carried_outbox_file(data=carried(site_key, [report_of(observer, "k-1"), bad]), actor=coordinator)
    assert Incident.objects.count() == 0


def test_a_pass_made_up_elsewhere_is_refused(site_key, election, region, observer, coordinator):
    forged = report_of(observer, "k-1")
    forged["pass"] = "eyJvYnNlcnZlciI6MX0:1abcde:forged"
    with pytest.raises(OutboxFileRefused, match="pass is not valid"):
        carried_outbox_file(data=carried(site_key, [forged]), actor=coordinator)
    assert Incident.objects.count() == 0


def test_the_upload_files_past_the_rate_limit(site_key, election, region, observer, coordinator, settings):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 2
    reports = [report_of(observer, f"k-{i}", description=f"Report {i}") for i in range(5)]
    assert len(carried_outbox_file(data=carried(site_key, reports), actor=coordinator).filed) == 5


def test_without_a_key_the_site_refuses_carried_files(settings, election, observer, coordinator):
    settings.OBSERVER_OUTBOX_PRIVATE_KEY = ""
    with pytest.raises(OutboxFileRefused, match="no key"):
        carried_outbox_file(data=b"OBSVOUT1", actor=coordinator)


# The admin page ------------------------------------------------------------------------------------------------------


def upload(client, data, name="notes-202101101030.bin"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("admin-outbox-upload"), {"outbox_file": SimpleUploadedFile(name, data)})


def test_a_coordinator_uploads_a_file_in_the_admin(
    site_key, election, region, observer, coordinator, force_login_verified
):
    client = force_login_verified(coordinator)
    assert reverse("admin-outbox-upload") in client.get(reverse("admin:index")).text  # linked from every page
    assert client.get(reverse("admin-outbox-upload")).status_code == 200
    data = carried(site_key, [report_of(observer, "k-1")])
    response = upload(client, data)
    assert response.status_code == 200 and "1 report filed, 0 were already on the site" in response.text
    response = upload(client, data)
    assert "0 reports filed, 1 was already on the site" in response.text
    response = upload(client, data[:-1] + bytes([data[-1] ^ 1]))
    assert response.status_code == 400 and "damaged or was changed" in response.text
    assert Incident.objects.count() == 1


def test_only_coordinators_upload(site_key, election, observer, moderator, force_login_verified, client):
    assert client.get(reverse("admin-outbox-upload")).status_code == 302  # the admin's login
    force_login_verified(moderator)
    assert reverse("admin-outbox-upload") not in client.get(reverse("admin:index")).text
    assert upload(client, carried(site_key, [report_of(observer, "k-1")])).status_code == 403
    assert Incident.objects.count() == 0


# The app's pages -----------------------------------------------------------------------------------------------------


def test_the_app_has_a_neutral_name_and_icons_drawn_here(client):
    manifest = client.get(reverse("report-manifest")).json()
    assert manifest["name"] == "Notes" and manifest["scope"] == "/report/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        image = Image.open(io.BytesIO(response.content))
        assert response["Content-Type"] == "image/png" and f"{image.width}x{image.height}" == icon["sizes"]
    assert client.get("/report/offline/icon-64.png").status_code == 404


def test_the_service_worker_is_served_for_the_observers_pages(client):
    response = client.get(reverse("report-service-worker"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/report/" and response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content


def test_the_policy_allows_the_worker_and_the_manifest_from_this_site_only(client):
    policy = client.get(reverse("report-outbox"))["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_setup_gives_the_phone_what_it_keeps(client, election, region, polling_station, observer, site_key):
    observer.assigned_stations.add(polling_station)
    factories.PollingStationFactory.create_batch(30, election=election, region=region)
    client.force_login(observer.user)
    response = client.get(reverse("report-offline-setup"))
    data = response.json()
    assert response["Cache-Control"].startswith("max-age=0")
    assert outbox_file.observer_from_pass(data["pass"]) == observer
    assert data["regions"][str(region.pk)] == "KZ-75" and data["stations"][str(polling_station.pk)] == "75-001"
    assert len(data["stations"]) == 31
    assert "/report/new/detention/" in data["pages"] and f"/report/stations/?region={region.pk}" in data["pages"]
    assert all(url.startswith("/") and not url.startswith("//") for url in data["pages"] + data["assets"])
    assert base64.urlsafe_b64decode(data["site_key"] + "==") == outbox_file.public_point(site_key)


def test_setup_query_count(client, election, region, observer, django_assert_max_num_queries):
    stations = factories.PollingStationFactory.create_batch(40, election=election, region=region)
    observer.assigned_stations.add(*stations[:10])
    client.force_login(observer.user)
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("report-offline-setup")).json()["stations"]) == 40


def test_setup_is_for_observers_only(client, moderator):
    assert client.get(reverse("report-offline-setup")).status_code == 302
    client.force_login(moderator)
    assert client.get(reverse("report-offline-setup")).status_code == 403


def test_the_outbox_page_shows_nothing_from_the_server(client, fully_filled_incident):
    """It needs no login (everything on it comes from the phone), so it must hold nothing private."""
    response = client.get(reverse("report-outbox"))
    assert response.status_code == 200
    fully_filled_incident.assert_absent_from(response.text)


def test_logging_out_clears_what_the_browser_kept(client, observer):
    client.force_login(observer.user)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session
