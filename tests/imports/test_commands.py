"""The command door: exit codes 0, 1 (rows refused) and 2 (bad file or options); nothing written unless 0."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from incidents.models import PollingStation, ResultChange

from .. import factories
from .conftest import RESULT_HEADER, result_row

pytestmark = pytest.mark.django_db

HEADER = ["number", "region", "name"]


def exit_code(*args):
    """Run a command as manage.py does and return its exit code."""
    try:
        call_command(*args, "--no-progress")
    except CommandError as error:
        return error.returncode
    return 0


def test_import_stations_command(write_csv, election, region, capsys):
    path = write_csv([HEADER, ["75-001", "KZ-75", "School"], ["75-002", "KZ-75", "School"]])
    assert exit_code("import_stations", str(path), "--election", election.slug, "--dry-run") == 0
    assert not PollingStation.objects.exists()
    assert "Dry run" in capsys.readouterr().out
    assert exit_code("import_stations", str(path), "--election", election.slug) == 0
    assert PollingStation.objects.count() == 2
    assert "2 were created" in capsys.readouterr().out
    assert exit_code("import_stations", str(path), "--election", election.slug) == 0
    assert "2 unchanged" in capsys.readouterr().out


def test_refused_rows_exit_1_and_write_nothing(write_csv, election, region, capsys):
    path = write_csv([HEADER, ["75-001", "KZ-75", "School"], ["75-002", "KZ-99", "School"]])
    assert exit_code("import_stations", str(path), "--election", election.slug) == 1
    assert "line 3, column region: Unknown region code KZ-99." in capsys.readouterr().err
    assert not PollingStation.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"number;region\n1;\xc0\xeb\xec\xe0\xf2\xfb\n", b"name\nSchool\n"],
    ids=["empty", "cp1251", "missing-columns"],
)
def test_bad_files_exit_2(tmp_path, election, region, content):
    path = tmp_path / "stations.csv"
    path.write_bytes(content)
    assert exit_code("import_stations", str(path), "--election", election.slug) == 2
    assert not PollingStation.objects.exists()


def test_bad_options_exit_2(write_csv, election):
    path = write_csv([HEADER, ["1", "KZ-75", ""]])
    assert exit_code("import_stations", str(path), "--election", "no-such-election") == 2
    assert exit_code("import_stations", str(path), "--election", election.slug, "--user", "nobody") == 2
    assert exit_code("import_stations", "/no/such/file.csv", "--election", election.slug) == 2


def test_exit_code_reaches_the_shell(write_csv, election, region):
    from django.core.management import ManagementUtility

    path = write_csv([HEADER, ["75-002", "KZ-99", "School"]])
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(
            ["manage.py", "import_stations", str(path), "--election", election.slug, "--no-progress"]
        ).execute()
    assert exit_.value.code == 1


def test_import_results_records_who_and_which_file(write_csv, election, region, ballot, coordinator):
    preliminary = write_csv([RESULT_HEADER, result_row(region="KZ-75")], name="p.csv")
    final = write_csv([RESULT_HEADER, result_row(region="KZ-75", stage="final", votes=(401, 189))], name="f.csv")
    assert exit_code("import_results", str(preliminary), "--election", election.slug) == 0
    assert exit_code("import_results", str(final), "--election", election.slug, "--user", coordinator.username) == 0
    change = ResultChange.objects.get()
    assert change.actor == coordinator and change.source.endswith("f.csv")


def test_every_kind_has_its_command(tmp_path, election, region, ballot):
    factories.ObserverFactory()
    for kind in ("regions", "parties", "organizations", "observers"):
        path = tmp_path / f"{kind}.csv"
        call_command("export_data", kind, str(path), "--election", election.slug)
        assert (
            exit_code(f"import_{kind}", str(path), *(["--election", election.slug] if kind == "parties" else [])) == 0
        )


def test_export_command_template_and_errors(tmp_path, election, ballot):
    path = tmp_path / "results.xlsx"
    call_command("export_data", "results", str(path), "--election", election.slug, "--template")
    assert path.stat().st_size > 0
    with pytest.raises(CommandError):
        call_command("export_data", "results", str(tmp_path / "results.pdf"), "--election", election.slug)
    with pytest.raises(CommandError):
        call_command("export_data", "results", str(tmp_path / "results.csv"))
