"""The admin door: upload, preview, confirm; exports; who may do it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.imports.admin import SESSION_KEY, import_root
from incidents.models import OfficialResult, PollingStation, Region, ResultChange

from .. import factories
from .conftest import RESULT_HEADER, result_row

pytestmark = pytest.mark.django_db

STATIONS_CSV = "number;region;name\n75-001;KZ-75;School 1\n75-002;KZ-75;School 2\n"


def url(model, view, *args):
    return reverse(f"admin:incidents_{model}_{view}", args=args)


@pytest.fixture
def coordinator_client(force_login_verified, coordinator):
    return force_login_verified(coordinator)


def upload(client, model, content, name="stations.csv", **data):
    file = SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str) else content)
    return client.post(url(model, "import"), {"file": file, **data})


def test_changelists_link_to_import_and_exports(coordinator_client):
    for model in ("region", "pollingstation", "party", "officialresult", "organization", "observer"):
        page = coordinator_client.get(url(model, "changelist")).content.decode()
        assert url(model, "import") in page and url(model, "export", "xlsx") in page


def test_upload_preview_confirm(coordinator_client, election, region):
    page = coordinator_client.get(url("pollingstation", "import"))
    assert page.status_code == 200 and "registered_voters" in page.content.decode()

    preview = upload(coordinator_client, "pollingstation", STATIONS_CSV, election=election.pk)
    assert preview.status_code == 200
    assert preview.context["report"].created == 2 and "Confirm and import" in preview.content.decode()
    assert not PollingStation.objects.exists()
    token = preview.context["token"]
    kept = list(import_root().iterdir())
    assert len(kept) == 1 and token in kept[0].name
    # Kept outside anything served: not under the static root and not named after the upload.
    assert "stations" not in kept[0].name

    done = coordinator_client.post(url("pollingstation", "import"), {"token": token})
    assert done.status_code == 302 and done.url == url("pollingstation", "changelist")
    assert PollingStation.objects.filter(election=election).count() == 2
    assert not list(import_root().iterdir())
    assert token not in coordinator_client.session[SESSION_KEY]


def test_refused_rows_are_listed_and_cannot_be_confirmed(coordinator_client, election, region):
    content = STATIONS_CSV + "75-003;KZ-99;Unknown region\n75-001;KZ-75;Twice\n"
    preview = upload(coordinator_client, "pollingstation", content, election=election.pk)
    page = preview.content.decode()
    assert preview.context["report"].refused == 2
    assert "Unknown region code KZ-99." in page and "Appears twice in the file (first on line 2)." in page
    assert "Confirm and import" not in page
    # Even a forged confirmation writes nothing.
    coordinator_client.post(url("pollingstation", "import"), {"token": preview.context["token"]})
    assert not PollingStation.objects.exists()


def test_cancel_removes_the_kept_file(coordinator_client, election, region):
    preview = upload(coordinator_client, "pollingstation", STATIONS_CSV, election=election.pk)
    response = coordinator_client.post(
        url("pollingstation", "import"), {"token": preview.context["token"], "cancel": "1"}
    )
    assert response.status_code == 302
    assert not list(import_root().iterdir()) and not PollingStation.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty"),
        ("number;region\n1;Алматы\n".encode("cp1251"), "cp1251.csv", "not in UTF-8"),
        (b"name\nSchool\n", "columns.csv", "Required columns are missing: number, region"),
        (b"%PDF-1.4", "report.pdf", "Files of type .pdf cannot be imported"),
        (b"number,region,name\n1,KZ-75,=HYPERLINK(1)\n", "formula.csv", "A formula is not a value"),
    ],
)
def test_bad_files_get_a_clear_message(coordinator_client, election, region, content, name, message):
    response = upload(coordinator_client, "pollingstation", content, name=name, election=election.pk)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PollingStation.objects.exists()


def test_file_over_the_limit_is_refused_before_it_is_kept(coordinator_client, election, settings):
    settings.OBSERVER_IMPORT_MAX_MB = 1
    response = upload(coordinator_client, "pollingstation", "x" * (1024 * 1024 + 1), election=election.pk)
    assert "files up to 1 MB" in response.content.decode()
    assert not list(import_root().iterdir())


def test_results_final_over_preliminary_in_the_admin(coordinator_client, coordinator, election, region, ballot):
    def csv_of(*rows):
        return "\n".join(",".join(str(cell) for cell in row) for row in [RESULT_HEADER, *rows]) + "\n"

    for stage in ("preliminary", "final"):
        votes = (400, 190) if stage == "preliminary" else (401, 189)
        preview = upload(
            coordinator_client,
            "officialresult",
            csv_of(result_row(region="KZ-75", stage=stage, votes=votes)),
            name=f"{stage}.csv",
            election=election.pk,
            stage="",
            source="",
            tolerance_percent="0",
        )
        assert preview.context["report"].ok, preview.context["report"].refusals
        coordinator_client.post(url("officialresult", "import"), {"token": preview.context["token"]})
    result = OfficialResult.objects.get(region=region)
    assert result.stage == "final"
    change = ResultChange.objects.get()
    assert change.actor == coordinator and "final.csv" in change.source
    page = coordinator_client.get(url("officialresult", "change", result.pk)).content.decode()
    assert "votes:AMANAT" in page


def test_exports_and_templates(coordinator_client, election, polling_station):
    response = coordinator_client.get(url("pollingstation", "export", "csv") + f"?election={election.pk}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("75-001,KZ-75")
    response = coordinator_client.get(url("region", "export", "xlsx"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    response = coordinator_client.get(url("officialresult", "template", "xlsx"))
    assert response.status_code == 200
    assert coordinator_client.get(url("region", "export", "pdf")).status_code == 404


def test_moderators_cannot_import_or_export_observers(force_login_verified, client, moderator, election):
    force_login_verified(moderator)
    assert client.get(url("region", "import")).status_code == 403
    assert url("region", "import") not in client.get(url("region", "changelist")).content.decode()
    assert client.get(url("observer", "export", "csv")).status_code == 403
    # Moderators may read reference data, so they may export it.
    assert client.get(url("region", "export", "csv")).status_code == 200


def test_another_session_cannot_confirm_an_upload(force_login_verified, client, coordinator_client, election, region):
    preview = upload(coordinator_client, "pollingstation", STATIONS_CSV, election=election.pk)
    other = factories.CoordinatorFactory()
    force_login_verified(other)
    response = client.post(url("pollingstation", "import"), {"token": preview.context["token"]})
    assert response.status_code == 302 and response.url == url("pollingstation", "import")
    assert not PollingStation.objects.exists()


def test_regions_import_in_the_admin_needs_no_election(coordinator_client):
    preview = upload(coordinator_client, "region", "code,name_en,level\nKZ-75,Almaty,city\n", name="regions.csv")
    coordinator_client.post(url("region", "import"), {"token": preview.context["token"]})
    assert Region.objects.filter(code="KZ-75").exists()
