"""The real 2016 file: Russia's State Duma election, 96,871 polling stations (../shared/data, see docs/forensics.md).

The commission's totals: 96,871 stations, 110,061,200 registered voters, 51,649,253 valid votes,
28,527,828 of them for United Russia (the README beside the file; the CEC's published totals).
"""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from incidents.models import OfficialResult, PartyResult, PollingStation
from incidents.results.examples import EXAMPLES, find_file

REAL_FILE = find_file(EXAMPLES["ru-duma-2016"].file_name)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        REAL_FILE is None, reason="ru-duma-2016-stations.csv.zip is not in shared/data beside the repository"
    ),
]

STATIONS = 96_871
REGISTERED = 110_061_200
VALID = 51_649_253
UNITED_RUSSIA = 28_527_828


@pytest.mark.django_db(transaction=False)
def test_load_example_sets_up_the_2016_election(client):
    out = io.StringIO()
    call_command("load_example", "ru-duma-2016", no_progress=True, stdout=out)
    assert f"{STATIONS} stations imported" in out.getvalue()
    assert PollingStation.objects.filter(election__slug="ru-duma-2016").count() == STATIONS
    stations = OfficialResult.objects.filter(election__slug="ru-duma-2016", polling_station__isnull=False)
    totals = stations.aggregate(registered=Sum("registered_voters"), valid=Sum("valid_votes"))
    assert totals == {"registered": REGISTERED, "valid": VALID}
    national = OfficialResult.objects.get(election__slug="ru-duma-2016", region=None, polling_station=None)
    assert national.registered_voters == REGISTERED
    united_russia = PartyResult.objects.get(result=national, party__ballot_number=4)
    assert united_russia.party.short_name == "ЕДИНАЯ РОССИЯ"
    assert united_russia.votes == UNITED_RUSSIA

    page = client.get(reverse("election-forensics", args=["ru-duma-2016"]))
    assert page.status_code == 200
    assert "96,871" in page.content.decode() or "96 871" in page.content.decode()
    region_code = PollingStation.objects.filter(election__slug="ru-duma-2016").values_list("region__code", flat=True)[0]
    assert client.get(reverse("region-forensics", args=["ru-duma-2016", region_code])).status_code == 200

    again = io.StringIO()
    call_command("load_example", "ru-duma-2016", no_progress=True, stdout=again)
    assert "loaded already" in again.getvalue()
