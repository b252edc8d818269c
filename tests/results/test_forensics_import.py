"""The station-results import of a commission's file, through a column mapping."""

import io
import zipfile
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from incidents.imports.reader import ImportFileError
from incidents.models import OfficialResult, Party, PartyResult, PollingStation, Region
from incidents.results.station_import import MAPPINGS, import_station_results, party_from_header
from tests import factories

from .conftest import station_csv

pytestmark = pytest.mark.django_db

ROWS = [
    # region, tik, uik, registered, portable, stationary, invalid, first, second
    ("Республика Один", "1 Первая", "1", 1000, 50, 550, 10, 400, 190),
    ("Республика Один", "1 Первая", "2", 2000, 0, 1000, 20, 500, 480),
    ("Республика Один", "2 Вторая", "1", 1500, 100, 800, 0, 900, 0),
    ("Область Два", "1 Другая", "7", 500, 10, 290, 5, 150, 145),
]


@pytest.fixture
def election():
    return factories.ElectionFactory(slug="ru-test", country="RU", reference_prefix="RUT")


def test_party_names_from_commission_headers():
    assert party_from_header('4. Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"') == (
        4,
        'Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"',
        "ЕДИНАЯ РОССИЯ",
    )
    assert party_from_header("14. Политическая партия СПРАВЕДЛИВАЯ РОССИЯ")[2] == "СПРАВЕДЛИВАЯ РОССИЯ"
    assert party_from_header('8. Политическая партия "Партия народной свободы" (ПАРНАС)')[2] == (
        "Партия народной свободы"
    )


def test_import_makes_regions_parties_stations_and_results(election, import_stations):
    report = import_stations(election, ROWS)
    assert report.written and report.created == 4
    regions = {region.name_ru: region for region in Region.objects.filter(country="RU")}
    assert sorted(regions) == ["Область Два", "Республика Один"]
    one, two = regions["Республика Один"], regions["Область Два"]
    assert (one.code, two.code) == ("RU-01", "RU-02")  # numbered in the file's order
    numbers = sorted(PollingStation.objects.filter(election=election).values_list("number", flat=True))
    assert numbers == ["RU-01/1/1", "RU-01/1/2", "RU-01/2/1", "RU-02/1/7"]
    parties = list(Party.objects.filter(election=election).order_by("ballot_number"))
    assert [(party.ballot_number, party.short_name) for party in parties] == [(1, "Первая"), (2, "ВТОРАЯ")]
    station = OfficialResult.objects.get(polling_station__number="RU-01/1/1")
    # ballots cast are the two boxes added up; valid as in the file
    assert (station.registered_voters, station.ballots_cast, station.valid_votes, station.invalid_votes) == (
        1000,
        600,
        590,
        10,
    )
    assert station.source == "Test commission"
    assert station.source_url.startswith("http://www.vybory.izbirkom.ru/")
    votes = dict(PartyResult.objects.filter(result=station).values_list("party__ballot_number", "votes"))
    assert votes == {1: 400, 2: 190}
    # regional and national results are the sums of the stations
    regional = OfficialResult.objects.get(election=election, region=one)
    assert (regional.registered_voters, regional.ballots_cast) == (1000 + 2000 + 1500, 600 + 1000 + 900)
    national = OfficialResult.objects.get(election=election, region=None, polling_station=None)
    assert national.registered_voters == 5000
    assert dict(national.party_results.values_list("party__ballot_number", "votes")) == {
        1: 400 + 500 + 900 + 150,
        2: 190 + 480 + 0 + 145,
    }


def test_a_refused_row_writes_nothing(election, import_stations):
    rows = [*ROWS, ("Область Два", "1 Другая", "8", 100, 60, 60, 0, 60, 60)]  # 120 ballots for 100 voters
    report = import_stations(election, rows)
    assert not report.written
    assert report.refused == 1
    assert report.refusals[0].line == 6
    assert "above the 100 registered voters" in report.refusals[0].reason
    assert not PollingStation.objects.filter(election=election).exists()
    assert not Region.objects.filter(country="RU").exists()
    assert not Party.objects.filter(election=election).exists()


def test_votes_must_add_up_to_valid_ballots(election, tmp_path):
    text = station_csv(ROWS[:1]).replace(",590,400,", ",591,400,")
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    report = import_station_results(path, election=election, mapping=MAPPINGS["ru-cec"])
    assert report.refused == 1
    assert "add up to 590" in report.refusals[0].reason


def test_a_station_twice_in_the_file_is_refused(election, import_stations):
    report = import_stations(election, [*ROWS, ROWS[0]])
    assert report.refused == 1
    assert "twice" in report.refusals[0].reason


def test_only_into_an_election_of_its_own(election, import_stations):
    factories.PollingStationFactory(election=election)
    with pytest.raises(ImportFileError, match="has polling stations already"):
        import_stations(election, ROWS)


def test_a_dry_run_writes_nothing(election, import_stations):
    report = import_stations(election, ROWS, write=False)
    assert report.created == 4 and not report.written
    assert not PollingStation.objects.exists()


def test_a_mapping_naming_missing_columns_is_refused(election, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(station_csv(ROWS), encoding="utf-8")
    mapping = replace(MAPPINGS["ru-cec"], valid_votes="Действительные")
    with pytest.raises(ImportFileError, match="Columns of the mapping are not in the file: действительные"):
        import_station_results(path, election=election, mapping=mapping)


def zipped(tmp_path, members):
    path = tmp_path / "stations.csv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_a_zip_archive_holding_one_csv_is_read(election, tmp_path):
    path = zipped(tmp_path, {"2016.csv": station_csv(ROWS)})
    report = import_station_results(path, election=election, mapping=MAPPINGS["ru-cec"])
    assert report.written and report.created == 4


def test_a_zip_archive_with_two_files_is_refused(election, tmp_path):
    path = zipped(tmp_path, {"a.csv": station_csv(ROWS), "b.csv": station_csv(ROWS)})
    with pytest.raises(ImportFileError, match="exactly one CSV"):
        import_station_results(path, election=election, mapping=MAPPINGS["ru-cec"])


def test_command_with_a_named_mapping_and_with_columns(election, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(station_csv(ROWS), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_station_results", str(path), election="ru-test", mapping="ru-cec", no_progress=True, stdout=out
    )
    assert "4 rows — 4 were created" in out.getvalue()
    assert PollingStation.objects.filter(election=election).count() == 4

    other = factories.ElectionFactory(slug="ru-other", country="RU", reference_prefix="RUO")
    ru = MAPPINGS["ru-cec"]
    call_command(
        "import_station_results",
        str(path),
        election="ru-other",
        region="region",
        district="tik",
        station="uik",
        registered=ru.registered_voters,
        ballots=list(ru.ballots_cast),
        valid=ru.valid_votes,
        parties=r"^\d+\.",
        no_progress=True,
        stdout=io.StringIO(),
    )
    totals = OfficialResult.objects.filter(election=other, polling_station__isnull=False).aggregate(Sum("ballots_cast"))
    assert totals["ballots_cast__sum"] == 600 + 1000 + 900 + 300
    # the regions of the first import are found again by their names
    assert Region.objects.filter(country="RU").count() == 2


def test_command_without_mapping_or_columns_says_what_is_missing(election, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(station_csv(ROWS), encoding="utf-8")
    with pytest.raises(CommandError, match="--region") as error:
        call_command("import_station_results", str(path), election="ru-test", no_progress=True)
    assert error.value.returncode == 2


def test_command_refused_rows_exit_1(election, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(station_csv([("Область", "1 А", "1", 100, 60, 60, 0, 60, 60)]), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command(
            "import_station_results",
            str(path),
            election="ru-test",
            mapping="ru-cec",
            no_progress=True,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert error.value.returncode == 1
