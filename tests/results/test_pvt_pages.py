"""The public PVT page, the estimate on the overview and region pages, the exports: figures, privacy, queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import OfficialResult, PartyResult, ProtocolCopy, ResultStage
from incidents.results import pvt
from incidents.results import pvt_selectors as selectors
from tests import factories, samples

pytestmark = pytest.mark.django_db

COPIED_AT = datetime.datetime(2021, 1, 10, 22, 30, tzinfo=datetime.UTC)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def figures(parties, *, first, second, third, invalid=20, registered=1500):
    """A copy that adds up: the party votes, the invalid ballots, and cast = their sum."""
    cast = first + second + third + invalid
    lines = {
        "registered": registered,
        "received": cast + 100,
        "issued": cast,
        "cast": cast,
        "invalid": invalid,
        "valid": cast - invalid,
        "cancelled": 100,
    }
    return lines, {str(parties[0].pk): first, str(parties[1].pk): second, str(parties[2].pk): third}


@pytest.fixture
def pvt_election(counted_election, region, moderator, coordinator):
    """Two regions of 12 stations; a sample drawn; every sampled station copied and verified."""
    election = counted_election
    parties = election.test_parties
    regions = [region, factories.RegionFactory(code="KZ-11", name_en="Akmola")]
    for area in regions:
        for _ in range(12):
            factories.PollingStationFactory(election=election, region=area)
    sample = services.pvt_sample_draw(
        election=election, wanted_margin=Decimal("0.25"), actor=coordinator, seed="pages-seed"
    )
    observer = factories.ObserverFactory()
    for index, entry in enumerate(sample.stations.select_related("polling_station")):
        lines, votes = figures(parties, first=500 + 10 * index, second=200 + (index % 3) * 15, third=100)
        copy = services.protocol_copy_file(
            observer=observer,
            polling_station=entry.polling_station,
            copied_at=COPIED_AT,
            lines=lines,
            party_votes=votes,
        ).copy
        services.protocol_copy_verify(copy=copy, actor=moderator)
    national = OfficialResult.objects.create(
        election=election,
        stage=ResultStage.FINAL,
        registered_voters=36_000,
        ballots_cast=30_000,
        valid_votes=29_000,
        invalid_votes=1_000,
        source="Test commission",
    )
    # the first party's official share, 90%, is far above anything the copies show (about 60%)
    for party, votes in zip(parties, [26_100, 2_000, 900], strict=True):
        PartyResult.objects.create(result=national, party=party, votes=votes)
    OfficialResult.objects.create(
        election=election, region=region, stage=ResultStage.FINAL, turnout_percent=Decimal("99.00"), source="T"
    )
    election.test_sample = sample
    election.test_regions = regions
    return election


def test_the_estimate_is_the_pure_function_on_the_verified_copies(pvt_election):
    overview = selectors.pvt_overview(pvt_election)
    first_party = pvt_election.test_parties[0]
    sizes = {"KZ-75": 12, "KZ-11": 12}
    reports = [
        (copy.polling_station.region.code, copy.party_votes[str(first_party.pk)], copy.lines["valid"])
        for copy in ProtocolCopy.objects.counted().select_related("polling_station__region")
    ]
    (row,) = [row for row in overview.national.comparisons if row.key == first_party.short_name]
    assert row.estimate == pvt.ratio_estimate(reports, sizes)
    assert row.official == pytest.approx(0.9)
    assert row.verdict == selectors.OUTSIDE


def test_pvt_page_shows_the_estimate_the_fingerprint_and_says_where_the_official_figure_is_outside(
    client, pvt_election
):
    sample = pvt_election.test_sample
    page = client.get(reverse("election-pvt", args=[pvt_election.slug])).content.decode()
    assert sample.fingerprint in page
    assert "lies outside the PVT" in page
    assert "<svg" in page and "official figure" in page
    assert sample.seed not in page  # not published yet: the seed would give the list away
    for entry in sample.stations.select_related("polling_station"):
        assert f": {entry.polling_station.number}<" not in page
    assert client.get(reverse("pvt")).content.decode().count(sample.fingerprint) == 1


def test_a_published_sample_shows_its_seed_and_list(client, pvt_election, coordinator):
    sample = services.pvt_sample_publish(sample=pvt_election.test_sample, actor=coordinator)
    page = client.get(reverse("pvt")).content.decode()
    assert sample.seed in page
    numbers = list(sample.stations.values_list("polling_station__number", flat=True))
    assert all(f": {number}<" in page for number in numbers)
    assert pvt.fingerprint(sample.seed, numbers) == sample.fingerprint


def test_the_overview_and_the_region_page_show_the_estimate(client, pvt_election, region):
    home = client.get(reverse("home")).content.decode()
    assert "PVT estimate beside the official result" in home and "lies outside" in home
    page = client.get(reverse("region-detail", args=[region.code])).content.decode()
    assert "PVT estimate beside the official result" in page
    # the region's official turnout, 99%, is outside what its copies show
    assert "Turnout: the official figure, 99.00%, lies outside" in page


def test_not_enough_data_while_a_stratum_has_fewer_than_two_copies(client, counted_election, region, coordinator):
    for _ in range(10):
        factories.PollingStationFactory(election=counted_election, region=region)
    services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.3"), actor=coordinator)
    page = client.get(reverse("pvt")).content.decode()
    assert "not enough data yet" in page
    assert "±0" not in page and "0.0–0.0" not in page


def test_unknown_election_is_404(client, db):
    assert client.get(reverse("election-pvt", args=["nope"])).status_code == 404


def test_station_differences_are_listed_without_the_observer(client, pvt_election):
    entry = pvt_election.test_sample.stations.select_related("polling_station").first()
    copy = ProtocolCopy.objects.get(polling_station=entry.polling_station)
    OfficialResult.objects.create(
        election=pvt_election,
        polling_station=entry.polling_station,
        stage=ResultStage.FINAL,
        registered_voters=copy.lines["registered"],
        ballots_cast=copy.lines["cast"] + 300,
        valid_votes=copy.lines["valid"],
        invalid_votes=copy.lines["invalid"],
        source="T",
    )
    (difference,) = selectors.station_differences(pvt_election)
    assert (difference.number, difference.official, difference.copied) == (
        entry.polling_station.number,
        copy.lines["cast"] + 300,
        copy.lines["cast"],
    )
    data = client.get(reverse("api-pvt-estimate")).json()
    assert data["station_differences"][0]["station"] == entry.polling_station.number


def test_json_and_csv_exports(client, pvt_election):
    data = client.get(reverse("api-pvt-estimate")).json()
    assert data["sample"]["fingerprint"] == pvt_election.test_sample.fingerprint and data["sample"]["seed"] is None
    first = data["national"]["figures"][1]
    assert first["verdict"] == "outside" and first["low"] < first["estimate"] < first["high"]
    rows = list(csv.reader(io.StringIO(body(client.get(reverse("api-pvt-estimate-csv"))))))
    assert rows[0][:3] == ["region", "figure", "estimate"] and len(rows) > 4
    copies = body(client.get(reverse("api-protocol-copies-csv")))
    copy_rows = list(csv.reader(io.StringIO(copies)))
    assert copy_rows[0][:3] == ["station", "region", "copied_at"]
    assert len(copy_rows) - 1 == ProtocolCopy.objects.counted().count()


@pytest.fixture
def private_copy(pvt_election, region, good_figures):
    """A station copied by an observer with recognizable private details, a private photo, and unverified."""
    observer = factories.ObserverFactory(
        user__username="copyist-private-login",
        user__email="copyist.private@example.org",
        phone="+7 701 999 5678",
        accreditation_number="ACC-COPYIST-999",
    )
    station = factories.PollingStationFactory(election=pvt_election, region=region, number="PRIVATE-STATION-42")
    lines = {**good_figures[0], "registered": 987_654}
    copy = services.protocol_copy_file(
        observer=observer,
        polling_station=station,
        copied_at=COPIED_AT,
        lines=lines,
        party_votes=good_figures[1],
        photo=samples.jpeg_with_gps("PRIVATE-PHOTO.jpg"),
        client_token="copy-private-token",
    ).copy
    return copy, [
        "copyist-private-login",
        "copyist.private@example.org",
        "+7 701 999 5678",
        "ACC-COPYIST-999",
        "PRIVATE-STATION-42",  # only an unverified copy names it
        "987654",
        "987,654",
        "copy-private-token",
        copy.photo.name,
        copy.photo_sha256,
    ]


def test_no_observer_photo_or_unverified_copy_on_any_public_surface(client, pvt_election, private_copy, region):
    copy, private_values = private_copy
    assert copy.status == "submitted" and not copy.photo_is_public
    # observers of the verified copies must not show either
    private_values += list(ProtocolCopy.objects.counted().values_list("observer__user__username", flat=True).distinct())
    surfaces = [
        client.get(reverse("pvt")).content.decode(),
        client.get(reverse("election-pvt", args=[pvt_election.slug])).content.decode(),
        client.get(reverse("home")).content.decode(),
        client.get(reverse("region-detail", args=[region.code])).content.decode(),
        client.get(reverse("api-pvt-estimate")).content.decode(),
        body(client.get(reverse("api-pvt-estimate-csv"))),
        body(client.get(reverse("api-protocol-copies-csv"))),
    ]
    for text in surfaces:
        found = [value for value in private_values if value and value in text]
        assert not found, f"private values leaked: {found}"


def test_pvt_page_query_count_does_not_grow(client, pvt_election, moderator, django_assert_max_num_queries):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from incidents.public import cache as public_cache

        public_cache.clear(public_cache.LISTS, public_cache.REFERENCE)  # every read built again
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pvt")).status_code == 200
        return len(queries)

    few = count_queries()
    more = factories.RegionFactory(code="KZ-19")
    for _ in range(15):
        station = factories.PollingStationFactory(election=pvt_election, region=more)
        OfficialResult.objects.create(
            election=pvt_election, polling_station=station, stage=ResultStage.FINAL, ballots_cast=1, source="T"
        )
    assert count_queries() == few
    with django_assert_max_num_queries(14):
        client.get(reverse("api-pvt-estimate"))
