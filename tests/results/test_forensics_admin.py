"""The admin door to the station-results import: upload with a mapping, preview, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import OfficialResult, PollingStation
from incidents.results.station_import import MAPPINGS
from tests import factories

from .conftest import generated_rows, station_csv

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:incidents_officialresult_import_stations"


@pytest.fixture
def coordinator_client(force_login_verified, coordinator):
    return force_login_verified(coordinator)


@pytest.fixture
def ru_election():
    return factories.ElectionFactory(slug="ru-admin", country="RU", reference_prefix="RUA")


def upload(client, election, content, **data):
    file = SimpleUploadedFile("2016.csv", content.encode("utf-8"))
    return client.post(reverse(IMPORT_URL), {"file": file, "election": election.pk, "source": "CEC", **data})


def test_changelist_links_to_the_station_import(coordinator_client):
    page = coordinator_client.get(reverse("admin:incidents_officialresult_changelist")).content.decode()
    assert reverse(IMPORT_URL) in page


def test_upload_with_a_named_mapping_preview_and_confirm(coordinator_client, ru_election):
    assert coordinator_client.get(reverse(IMPORT_URL)).status_code == 200
    preview = upload(coordinator_client, ru_election, station_csv(generated_rows(12)), mapping="ru-cec")
    assert preview.status_code == 200
    assert preview.context["report"].created == 12
    assert not PollingStation.objects.exists()
    done = coordinator_client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})
    assert done.status_code == 302
    assert done.url == reverse("election-forensics", args=[ru_election.slug])
    assert PollingStation.objects.filter(election=ru_election).count() == 12
    assert OfficialResult.objects.filter(election=ru_election, polling_station__isnull=False).count() == 12


def test_upload_with_columns_named_in_the_form(coordinator_client, ru_election):
    ru = MAPPINGS["ru-cec"]
    columns = {
        "region": "region",
        "district": "tik",
        "station": "uik",
        "registered_voters": ru.registered_voters,
        "ballots_cast": "\n".join(ru.ballots_cast),
        "valid_votes": ru.valid_votes,
        "party_pattern": r"^\d+\.",
    }
    preview = upload(coordinator_client, ru_election, station_csv(generated_rows(5)), **columns)
    assert preview.context["report"].created == 5


def test_missing_columns_re_render_the_form_with_messages(coordinator_client, ru_election):
    page = upload(coordinator_client, ru_election, station_csv(generated_rows(3)))
    assert page.status_code == 200
    assert "Name the column, or choose a known mapping." in page.content.decode()
    wrong = upload(
        coordinator_client, ru_election, station_csv(generated_rows(3)), mapping="ru-cec", valid_votes="nope"
    )
    assert wrong.status_code == 200
    assert "Columns of the mapping are not in the file: nope" in wrong.content.decode()
    assert not PollingStation.objects.exists()


def test_an_observer_may_not_import(client, observer):
    client.force_login(observer.user)
    assert client.get(reverse(IMPORT_URL)).status_code in (302, 403)
