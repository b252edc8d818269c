"""The forensics pages and their API: figures from the station results, valid SVG, fixed queries, nothing private."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from incidents.models import Party, Region
from incidents.results import forensics
from tests import factories

from .conftest import generated_rows

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def ru_election():
    return factories.ElectionFactory(slug="ru-test", country="RU", reference_prefix="RUT", is_current=False)


@pytest.fixture
def loaded(ru_election, import_stations):
    rows = generated_rows(60) + generated_rows(20, region="Другая область", seed=5)
    report = import_stations(ru_election, rows)
    assert report.written
    return ru_election, rows


def svgs(html):
    """Each SVG of the page, parsed as XML (a parse error fails the test)."""
    found, start = [], 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))
        start = end
    return found


def test_the_page_draws_the_figures_of_the_stations(client, loaded):
    election, rows = loaded
    response = client.get(reverse("election-forensics", args=[election.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    charts = [svg for svg in svgs(html) if "forensics-chart" in svg.get("class", "")]
    assert len(charts) == 3  # fingerprint, turnout, share
    for chart in charts:
        assert chart.find("{http://www.w3.org/2000/svg}title").text
        assert chart.get("role") == "img"
    assert "80" in html
    # the figures are those of the pure functions over the imported numbers
    registered = [row[3] for row in rows]
    ballots = [row[4] + row[5] for row in rows]
    test = forensics.whole_percentage_test(ballots, registered)
    assert f"<dd>{test.observed}</dd>" in html
    assert "a statistical signal, not proof of fraud" in html
    assert "Test commission" in html  # the source is shown


def test_the_region_page_has_only_its_stations(client, loaded):
    election, _rows = loaded
    other = Region.objects.get(name_ru="Другая область")
    response = client.get(reverse("region-forensics", args=[election.slug, other.code.lower()]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dd>20</dd>" in html  # 20 stations
    api = client.get(reverse("api-forensics", args=[election.slug]), {"region": other.code}).json()
    assert api["stations"] == 20
    assert api["region"] == other.code


def test_without_station_results_the_page_says_what_would_make_it_possible(client, election):
    response = client.get(reverse("forensics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No polling-station results" in html
    assert "import_station_results" in html
    api = client.get(reverse("api-forensics", args=[election.slug]))
    assert api.status_code == 404


def test_unknown_election_region_and_party(client, loaded):
    election, _rows = loaded
    assert client.get(reverse("election-forensics", args=["nope"])).status_code == 404
    assert client.get(reverse("region-forensics", args=[election.slug, "XX-99"])).status_code == 404
    # A NUL byte anywhere in an address is refused before any view (security/input.py).
    assert client.get(reverse("region-forensics", args=[election.slug, "a\x00b"])).status_code == 400
    assert client.get(reverse("election-forensics", args=[election.slug]), {"party": "abc"}).status_code == 400
    assert client.get(reverse("election-forensics", args=[election.slug]), {"party": "999999"}).status_code == 404
    api = reverse("api-forensics", args=[election.slug])
    assert client.get(api, {"party": "abc"}).status_code == 400
    assert client.get(api, {"region": "XX-99"}).status_code == 404
    assert client.get(api, {"region": "a\x00b"}).status_code == 400
    assert client.get(reverse("api-forensics-csv", args=[election.slug, "nothing"])).status_code == 404


def test_another_party_can_be_chosen(client, loaded):
    election, rows = loaded
    second = Party.objects.get(election=election, ballot_number=2)
    api = client.get(reverse("api-forensics", args=[election.slug]), {"party": second.pk}).json()
    assert api["party"]["ballot_number"] == 2
    share = forensics.whole_percentage_test([row[8] for row in rows], [row[7] + row[8] for row in rows])
    assert api["whole_percent"]["share"]["observed"] == share.observed
    page = client.get(reverse("election-forensics", args=[election.slug]), {"party": second.pk})
    assert page.status_code == 200


def test_the_api_gives_every_figure(client, loaded):
    election, rows = loaded
    data = client.get(reverse("api-forensics", args=[election.slug])).json()
    assert data["stations"] == len(rows)
    assert data["registered_voters"] == sum(row[3] for row in rows)
    assert data["party"]["short_name"] in ("Первая", "ВТОРАЯ")
    assert len(data["fingerprint"]["counts"]) == 50
    assert sum(map(sum, data["fingerprint"]["counts"])) == sum(row[4] + row[5] for row in rows)
    assert len(data["turnout_histogram"]["stations"]) == 501
    assert sum(data["turnout_histogram"]["stations"]) == len(rows)
    assert set(data["explanations"]) == set(forensics.EXPLANATIONS)
    assert data["second_digit"]["degrees_of_freedom"] == 9


@pytest.mark.parametrize(
    "table", ["tests", "fingerprint", "turnout-histogram", "share-histogram", "second-digits", "extremes", "stations"]
)
def test_each_table_as_csv(client, loaded, table):
    election, rows = loaded
    response = client.get(reverse("api-forensics-csv", args=[election.slug, table]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0]
    if table == "stations":
        assert len(lines) == len(rows) + 1
    if table == "turnout-histogram":
        assert len(lines) == 502


def test_page_links_to_the_csv_tables(client, loaded):
    election, _rows = loaded
    html = client.get(reverse("election-forensics", args=[election.slug])).content.decode()
    for table in ("tests", "fingerprint", "stations"):
        assert reverse("api-forensics-csv", args=[election.slug, table]) in html


def test_the_schema_documents_the_endpoints(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/v1/elections/{slug}/forensics/" in schema["paths"]
    assert "/api/v1/elections/{slug}/forensics/{table}.csv" in schema["paths"]


def test_queries_do_not_grow_with_stations(client, ru_election, import_stations, django_assert_max_num_queries):
    import_stations(ru_election, generated_rows(10))
    url = reverse("election-forensics", args=[ru_election.slug])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    other = factories.ElectionFactory(slug="ru-more", country="RU", reference_prefix="RUM")
    import_stations(other, generated_rows(300, region="Большая область"))
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("election-forensics", args=[other.slug])).status_code == 200
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("api-forensics", args=[other.slug])).status_code == 200


def test_no_private_value_on_the_page_or_in_the_api(client, fully_filled_incident):
    """The election of the fully filled report, with station results (its own station's among them)."""
    incident = fully_filled_incident.incident
    election = incident.election
    party = factories.PartyFactory(election=election, short_name="Leading")
    stations = [incident.polling_station] + [
        factories.PollingStationFactory(election=election, region=incident.region) for _index in range(30)
    ]
    for index, station in enumerate(stations):
        result = factories.OfficialResultFactory(
            election=election,
            region=None,
            polling_station=station,
            registered_voters=1000 + index,
            ballots_cast=600 + index,
            valid_votes=590 + index,
            invalid_votes=10,
        )
        factories.PartyResultFactory(result=result, party=party, votes=300 + index * 7)
    for url in (
        reverse("forensics"),
        reverse("election-forensics", args=[election.slug]),
        reverse("api-forensics", args=[election.slug]),
        reverse("api-forensics-csv", args=[election.slug, "stations"]),
        reverse("api-forensics-csv", args=[election.slug, "extremes"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fully_filled_incident.assert_absent_from(body.decode("utf-8-sig"))


def test_the_page_in_russian_and_kazakh(client, loaded):
    election, _rows = loaded
    url = reverse("election-forensics", args=[election.slug])
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "статистический сигнал, а не доказательство фальсификаций" in russian
    kazakh = client.get(url, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Саусақ ізі" in kazakh


def test_overview_and_region_pages_link_to_forensics_where_station_results_exist(client, loaded, election):
    ru_election, _rows = loaded
    # the current election (the conftest's) has no station results: no link
    assert "/forensics/" not in client.get(reverse("home")).content.decode()
    home = client.get(reverse("home"), {"election": ru_election.slug}).content.decode()
    assert reverse("election-forensics", args=[ru_election.slug]) in home
    region = Region.objects.get(name_ru="Другая область")
    page = client.get(region.get_absolute_url(), {"election": ru_election.slug}).content.decode()
    assert reverse("region-forensics", args=[ru_election.slug, region.code]) in page
    empty = factories.RegionFactory(code="RU-99")
    page = client.get(empty.get_absolute_url(), {"election": ru_election.slug}).content.decode()
    assert "/forensics/" not in page


def test_an_import_makes_the_cached_pages_stale(
    client, ru_election, import_stations, django_capture_on_commit_callbacks
):
    url = reverse("election-forensics", args=[ru_election.slug])
    assert "No polling-station results" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        import_stations(ru_election, generated_rows(10))
    assert "No polling-station results" not in client.get(url).content.decode()
