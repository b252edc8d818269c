"""Each kind: a good file, each bad row, re-import idempotency, preliminary to final."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation

from incidents.imports import MAX_LISTED_REFUSALS
from incidents.models import (
    Observer,
    OfficialResult,
    Organization,
    Party,
    PartyResult,
    PollingStation,
    Region,
    ResultChange,
)

from .. import factories
from .conftest import RESULT_HEADER, refusals, result_row

pytestmark = pytest.mark.django_db

REGION_HEADER = ["code", "name_en", "level", "parent", "name_ru", "latitude", "longitude"]
STATION_HEADER = ["number", "region", "name", "registered_voters", "latitude", "longitude"]


def counts(report):
    return report.created, report.updated, report.unchanged, report.refused


# Regions


def test_regions_with_parents_in_any_order(run, write_csv):
    path = write_csv(
        [
            REGION_HEADER,
            ["KZ-75-01", "Medeu district", "district", "KZ-75", "Медеуский район", "", ""],
            ["KZ-75", "Almaty", "city", "", "Алматы", "43,238949", "76.889709"],
        ]
    )
    report = run("regions", path)
    assert counts(report) == (2, 0, 0, 0) and report.written
    district = Region.objects.get(code="KZ-75-01")
    assert district.parent.code == "KZ-75" and district.country == "KZ"
    assert Region.objects.get(code="KZ-75").latitude == Decimal("43.238949")
    assert counts(run("regions", path)) == (0, 0, 2, 0)


def test_region_centre_in_each_language(run, write_csv):
    header = ["code", "name_en", "level", "centre", "centre_ru", "centre_kk"]
    path = write_csv([header, ["KZ-63", "East Kazakhstan Region", "region", "Oskemen", "Усть-Каменогорск", "Өскемен"]])
    run("regions", path)
    region = Region.objects.get(code="KZ-63")
    names = {}
    for language in ("en", "ru", "kk"):
        with translation.override(language):
            names[language] = region.centre_name
    assert names == {"en": "Oskemen", "ru": "Усть-Каменогорск", "kk": "Өскемен"}


def test_region_rows_refused(run, write_csv, region):
    factories.RegionFactory(code="KZ-11", parent=region)
    path = write_csv(
        [
            REGION_HEADER,
            ["kz 1", "Bad code", "region", "", "", "", ""],
            ["KZ-2", "", "county", "", "", "", ""],
            ["KZ-3", "Orphan", "region", "KZ-404", "", "", ""],
            ["KZ-75", "Almaty", "city", "KZ-11", "", "", ""],  # KZ-11's parent is KZ-75: a loop
            ["KZ-4", "Half a point", "region", "", "", "43.2", ""],
            ["KZ-5", "Self", "region", "KZ-5", "", "", ""],
            ["KZ-3", "Twice", "region", "", "", "", ""],
        ]
    )
    report = run("regions", path)
    assert refusals(report) == [
        (2, "code"),
        (3, "name_en"),
        (3, "level"),
        (4, "parent"),
        (5, "parent"),
        (6, "longitude"),
        (7, "parent"),
        (8, "code"),
    ]
    assert report.refused == 7 and not report.written
    assert Region.objects.count() == 2 and Region.objects.get(code="KZ-75").parent is None


# Polling stations


def test_stations_good_file_and_idempotent_reimport(run, write_xlsx, region, election):
    path = write_xlsx(
        [
            STATION_HEADER,
            ["75-001", "KZ-75", "School 1", 2140, 43.25, 76.9],
            ["75-002", "KZ-75", "School 2", "", "", ""],
        ]
    )
    assert counts(run("stations", path)) == (2, 0, 0, 0)
    station = PollingStation.objects.get(election=election, number="75-001")
    assert station.region == region and station.registered_voters == 2140
    assert counts(run("stations", path)) == (0, 0, 2, 0)


def test_stations_update_by_natural_key(run, write_csv, polling_station):
    path = write_csv([STATION_HEADER, [polling_station.number, "KZ-75", "Renamed school", "1 500", "", ""]])
    assert counts(run("stations", path)) == (0, 1, 0, 0)
    polling_station.refresh_from_db()
    assert polling_station.name == "Renamed school" and polling_station.registered_voters == 1500
    assert PollingStation.objects.count() == 1


def test_station_rows_refused(run, write_csv, region):
    path = write_csv(
        [
            STATION_HEADER,
            ["1", "KZ-99", "Unknown region", "", "", ""],
            ["2", "KZ-75", "Negative voters", "-5", "", ""],
            ["3", "KZ-75", "Not a number", "many", "", ""],
            ["4", "KZ-75", "Off the map", "", "95", "10"],
            ["5", "KZ-75", "=cmd|' /C calc'!A0", "", "", ""],
            ["1", "KZ-75", "Duplicate number", "", "", ""],
            ["", "KZ-75", "No number", "", "", ""],
        ]
    )
    report = run("stations", path)
    assert refusals(report) == [
        (2, "region"),
        (3, "registered_voters"),
        (4, "registered_voters"),
        (5, "latitude"),
        (6, "name"),
        (7, "number"),
        (8, "number"),
    ]
    assert "Unknown region code KZ-99" in report.refusals[0].reason
    assert "line 2" in report.refusals[5].reason
    assert "formula" in report.refusals[4].reason
    assert not PollingStation.objects.exists()


def test_a_refused_row_after_written_batches_rolls_everything_back(run, write_csv, region):
    rows = [[str(n), "KZ-75", f"School {n}", "", "", ""] for n in range(2500)]
    rows.append(["x", "KZ-99", "", "", "", ""])
    report = run("stations", write_csv([STATION_HEADER, *rows]))
    assert report.created == 2500 and report.refused == 1 and not report.written
    assert not PollingStation.objects.exists()


def test_dry_run_writes_nothing(run, write_csv, region):
    report = run("stations", write_csv([STATION_HEADER, ["1", "KZ-75", "", "", "", ""]]), write=False)
    assert report.created == 1 and not report.written
    assert not PollingStation.objects.exists()


def test_refusal_listing_is_capped_but_counted(run, write_csv, region):
    rows = [[str(n), "KZ-99", "", "", "", ""] for n in range(MAX_LISTED_REFUSALS + 5)]
    report = run("stations", write_csv([STATION_HEADER, *rows]))
    assert report.refused == MAX_LISTED_REFUSALS + 5 and len(report.refusals) == MAX_LISTED_REFUSALS
    assert report.unlisted_refusals


# Parties


def test_parties_good_file_swapping_ballot_numbers(run, write_csv, ballot):
    header = ["short_name", "name_en", "ballot_number", "colour"]
    path = write_csv(
        [header, ["AMANAT", "Amanat", "2", ""], ["AKZHOL", "Ak Zhol", "1", "#aabbcc"], ["NEW", "New", "3", ""]]
    )
    assert counts(run("parties", path)) == (1, 2, 0, 0)
    assert dict(Party.objects.values_list("short_name", "ballot_number")) == {"AMANAT": 2, "AKZHOL": 1, "NEW": 3}
    assert Party.objects.get(short_name="NEW").colour == "#777777"
    assert counts(run("parties", path)) == (0, 0, 3, 0)


def test_party_rows_refused(run, write_csv, ballot):
    header = ["short_name", "name_en", "ballot_number", "colour"]
    path = write_csv(
        [header, ["X", "X", "1", ""], ["Y", "Y", "3", "red"], ["Z", "Z", "3", ""], ["AMANAT", "Amanat", "1", ""]]
    )
    report = run("parties", path)
    # 1 belongs to AKZHOL, which the file does not mention; 3 is given twice.
    assert refusals(report) == [(2, "ballot_number"), (3, "colour"), (4, "ballot_number"), (5, "ballot_number")]


# Organizations and observers


def test_organizations(run, write_csv):
    header = ["name", "kind", "country", "website"]
    path = write_csv([header, ["Network", "domestic", "kz", "https://example.org"], ["Press", "media", "", ""]])
    assert counts(run("organizations", path)) == (2, 0, 0, 0)
    assert Organization.objects.get(name="Network").country == "KZ"
    assert counts(run("organizations", path)) == (0, 0, 2, 0)
    bad = write_csv([header, ["A", "secret", "", ""], ["B", "media", "KAZ", "not a url"]])
    assert refusals(run("organizations", bad)) == [(2, "kind"), (3, "country"), (3, "website")]


OBSERVER_HEADER = ["username", "kind", "email", "first_name", "organization", "phone", "stations"]


def test_observers_get_accounts_groups_stations_and_an_invitation(
    run, write_csv, election, polling_station, django_capture_on_commit_callbacks
):
    factories.OrganizationFactory(name="Network")
    other = factories.PollingStationFactory(election=election, number="75-002")
    path = write_csv(
        [
            OBSERVER_HEADER,
            [
                "aigerim",
                "independent",
                "aigerim@example.org",
                "Aigerim",
                "Network",
                "+7 701 555 0101",
                "75-001; 75-002",
            ],
            ["nurlan", "journalist", "", "", "", "", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run("observers", path, election=election)
    assert counts(report) == (2, 0, 0, 0)
    observer = Observer.objects.get(user__username="aigerim")
    assert observer.organization.name == "Network" and observer.phone == "+77015550101"  # kept in E.164
    assert set(observer.assigned_stations.all()) == {polling_station, other}
    assert observer.user.groups.filter(name="Observer").exists()
    assert not observer.user.has_usable_password() and not observer.user.is_staff
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aigerim@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert any("without an e-mail" in note for note in report.notes)

    with django_capture_on_commit_callbacks(execute=True):
        assert counts(run("observers", path, election=election)) == (0, 0, 2, 0)
    assert len(mail.outbox) == 1

    moved = write_csv([OBSERVER_HEADER, ["aigerim", "party", "aigerim@example.org", "Aigerim", "", "", "75-002"]])
    assert counts(run("observers", moved, election=election)) == (0, 1, 0, 0)
    observer.refresh_from_db()
    assert observer.kind == "party" and observer.organization is None
    assert list(observer.assigned_stations.all()) == [other]


def test_observer_rows_refused(run, write_csv, election, polling_station, moderator, observer):
    factories.UserFactory(username="plain", email="plain@example.org")
    path = write_csv(
        [
            OBSERVER_HEADER,
            [moderator.username, "independent", "", "", "", "", ""],
            ["plain", "independent", "", "", "", "", ""],
            ["new1", "spy", "not-an-email", "", "Nowhere", "", ""],
            ["new2", "independent", observer.user.email.upper(), "", "", "", ""],
            ["new3", "independent", "same@example.org", "", "", "", "75-001; 99-999"],
            ["new4", "independent", "same@example.org", "", "", "", ""],
            ["bad name!", "independent", "", "", "", "", ""],
        ]
    )
    report = run("observers", path, election=election)
    assert refusals(report) == [
        (2, "username"),
        (3, "username"),
        (4, "email"),
        (4, "organization"),
        (4, "kind"),
        (5, "email"),
        (6, "stations"),
        (7, "email"),
        (8, "username"),
    ]
    assert not get_user_model().objects.filter(username__startswith="new").exists()
    assert not moderator.groups.filter(name="Observer").exists()


def test_observer_stations_need_an_election(run, write_csv):
    path = write_csv([OBSERVER_HEADER, ["aigerim", "independent", "", "", "", "", "75-001"]])
    assert refusals(run("observers", path)) == [(2, "stations")]


# Official results


def test_results_per_region_and_station(run, write_csv, election, region, polling_station, ballot):
    path = write_csv(
        [
            RESULT_HEADER,
            result_row(region="KZ-75"),
            result_row(station="75-001", counts=(2000, 1000, 990, 10), votes=(600, 390)),
        ]
    )
    report = run("results", path)
    assert counts(report) == (2, 0, 0, 0)
    regional = OfficialResult.objects.get(election=election, region=region)
    assert regional.turnout == Decimal("60.00") and regional.source == "Commission"
    assert dict(regional.party_results.values_list("party__short_name", "votes")) == {"AMANAT": 400, "AKZHOL": 190}
    station_result = OfficialResult.objects.get(polling_station=polling_station)
    assert station_result.region is None and station_result.valid_votes == 990
    assert counts(run("results", path)) == (0, 0, 2, 0)
    assert not ResultChange.objects.exists()


def test_final_over_preliminary_updates_and_records_the_change(run, write_csv, election, region, ballot, coordinator):
    run("results", write_csv([RESULT_HEADER, result_row(region="KZ-75")], name="preliminary.csv"))
    final = write_csv(
        [RESULT_HEADER, result_row(region="KZ-75", stage="final", counts=(1000, 610, 600, 10), votes=(600, ""))],
        name="final.csv",
    )
    report = run("results", final, actor=coordinator, origin="final.csv")
    assert counts(report) == (0, 1, 0, 0)
    result = OfficialResult.objects.get(region=region)
    assert result.stage == "final" and result.ballots_cast == 610
    assert dict(result.party_results.values_list("party__short_name", "votes")) == {"AMANAT": 600}
    change = ResultChange.objects.get()
    assert change.result == result and change.actor == coordinator and change.source == "final.csv"
    assert change.changes == {
        "stage": ["preliminary", "final"],
        "ballots_cast": [600, 610],
        "valid_votes": [590, 600],
        "votes:AMANAT": [400, 600],
        "votes:AKZHOL": [190, None],
    }
    # The same final file again changes nothing and records nothing.
    assert counts(run("results", final)) == (0, 0, 1, 0)
    assert ResultChange.objects.count() == 1
    # A preliminary result never replaces the final one.
    again = run("results", write_csv([RESULT_HEADER, result_row(region="KZ-75")], name="late.csv"))
    assert refusals(again) == [(2, "stage")]


def test_result_changes_are_append_only(run, write_csv, region, ballot):
    from incidents.models import AppendOnlyError

    run("results", write_csv([RESULT_HEADER, result_row(region="KZ-75")]))
    run("results", write_csv([RESULT_HEADER, result_row(region="KZ-75", stage="final")]))
    change = ResultChange.objects.get()
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        ResultChange.objects.all().delete()


def test_result_rows_refused(run, write_csv, election, region, polling_station, ballot, settings):
    settings.OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT = "1"
    factories.RegionFactory(code="KZ-71")
    factories.RegionFactory(code="KZ-79")
    header = [*RESULT_HEADER, "votes:NOPE", "turnout_percent"]
    path = write_csv(
        [
            header,
            [*result_row(region="KZ-99"), "", ""],  # unknown region
            [*result_row(station="99-999"), "", ""],  # unknown station
            [*result_row(region="KZ-75", counts=(1000, 1200, 590, 10)), "", ""],  # ballots above registered
            [*result_row(station="75-001", votes=(400, 150)), "", ""],  # 550 of 590: beyond 1%
            [*result_row(station="75-001", votes=(400, 194)), "", ""],  # within 1%, but a duplicate
            [*result_row(region="KZ-71", stage=""), "5", ""],  # no stage; a party not on the ballot
            [*result_row(region="", station=""), "", ""],  # neither region nor station
            [*result_row(region="KZ-79", counts=(1000, 600, 590, 10)), "", "60"],  # turnout stored twice
        ]
    )
    report = run("results", path)
    assert refusals(report) == [
        (2, "region"),
        (3, "station"),
        (4, "ballots_cast"),
        (5, "valid_votes"),
        (6, "station"),
        (7, "stage"),
        (7, "votes:NOPE"),
        (8, "region"),
        (9, "turnout_percent"),
    ]
    assert "NOPE is not on the ballot" in report.refusals[6].reason
    assert not OfficialResult.objects.exists() and not PartyResult.objects.exists()


def test_result_stage_and_source_for_the_whole_file(run, write_csv, region, ballot):
    header = ["region", "registered_voters", "turnout_percent", "as_of"]
    report = run(
        "results",
        write_csv([header, ["KZ-75", "", "30,5", "2021-01-10 22:00"]]),
        stage="preliminary",
        source="CEC, 22:00",
    )
    assert report.created == 1
    result = OfficialResult.objects.get()
    assert result.stage == "preliminary" and result.source == "CEC, 22:00" and result.turnout == Decimal("30.50")
    assert result.as_of.isoformat() == "2021-01-10T16:00:00+00:00"
    missing = run("results", write_csv([header, ["KZ-75", "", "", ""]], name="nostage.csv"))
    assert refusals(missing) == [(2, "stage"), (2, "source")]


# Queries: a batch of rows costs a fixed number of queries, whatever its size.


def queries_for(run, kind, path, **options):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        report = run(kind, path, **options)
    assert report.ok, report.refusals
    return len(captured)


def test_query_count_does_not_grow_with_rows(run, write_csv, election, region, ballot):
    def stations(count, name):
        return write_csv(
            [STATION_HEADER, *[[f"{name}{n}", "KZ-75", "", "10", "", ""] for n in range(count)]], f"{name}.csv"
        )

    def results(count, prefix, stage):
        rows = [
            result_row(station=f"{prefix}{n}", stage=stage, counts=(10, 6, 5, 1), votes=(3, 2)) for n in range(count)
        ]
        return write_csv([RESULT_HEADER, *rows], f"results-{prefix}-{stage}.csv")

    few, many = stations(3, "a"), stations(60, "b")
    assert queries_for(run, "stations", few) == queries_for(run, "stations", many)
    assert queries_for(run, "results", results(3, "a", "preliminary")) == queries_for(
        run, "results", results(60, "b", "preliminary")
    )
    assert queries_for(run, "results", results(3, "a", "final")) == queries_for(
        run, "results", results(60, "b", "final")
    )

    def observers(count, name):
        rows = [[f"{name}{n}", "independent", f"{name}{n}@example.org", "", "", "", f"{name}{n}"] for n in range(count)]
        return write_csv([OBSERVER_HEADER, *rows], f"observers-{name}.csv")

    assert queries_for(run, "observers", observers(3, "a"), election=election, invite=False) == queries_for(
        run, "observers", observers(60, "b"), election=election, invite=False
    )
