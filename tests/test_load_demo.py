import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from incidents.management.commands.load_demo import DEFAULT_DEMO_FILE
from incidents.models import (
    Election,
    Incident,
    IncidentEvent,
    Observer,
    OfficialResult,
    Party,
    PollingStation,
    ProtocolCopy,
    ProtocolCopyEvent,
    PvtSample,
    PvtStation,
    Region,
    Status,
)

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Election,
            Region,
            Party,
            OfficialResult,
            PollingStation,
            Observer,
            Incident,
            IncidentEvent,
            PvtSample,
            PvtStation,
            ProtocolCopy,
            ProtocolCopyEvent,
        )
    }


def test_loads_the_2021_election():
    call_command("load_demo", stdout=io.StringIO())
    election = Election.objects.get(slug="kz-2021-mazhilis")
    assert election.is_current and election.time_zone == "Asia/Almaty"
    assert Region.objects.count() == 17
    assert Party.objects.filter(election=election).count() == 5
    national = OfficialResult.objects.get(election=election, region=None, polling_station=None)
    assert national.registered_voters == 11_919_241
    assert national.ballots_cast == 7_539_280
    assert national.turnout == Decimal("63.25")
    nur_otan = national.party_results.get(party__short_name="Nur Otan")
    assert (nur_otan.votes, nur_otan.seats, nur_otan.share) == (5_148_074, 76, Decimal("71.09"))
    assert sum(row.seats for row in national.party_results.all()) == 98
    almaty = OfficialResult.objects.get(election=election, region__code="KZ-75")
    assert almaty.turnout == Decimal("30.3") and almaty.registered_voters is None  # only the percentage was published
    north = OfficialResult.objects.get(election=election, region__code="KZ-59")
    assert north.turnout == Decimal("75.5")


def test_election_and_regions_are_named_in_every_language():
    """The public pages in Russian and Kazakh show no English name of the election or a region's centre."""
    call_command("load_demo", stdout=io.StringIO())
    election = Election.objects.get(slug="kz-2021-mazhilis")
    assert election.name_in("ru") == "Выборы в Мажилис Казахстана, 2021"
    assert election.name_in("kk") == "Қазақстан Мәжілісіне сайлау, 2021"
    east = Region.objects.get(code="KZ-63")
    assert (east.centre, east.centre_ru, east.centre_kk) == ("Oskemen", "Усть-Каменогорск", "Өскемен")
    assert not Region.objects.filter(Q(name_ru="") | Q(name_kk="") | Q(centre_ru="") | Q(centre_kk="")).exists()


def test_invented_things_are_marked_demo():
    call_command("load_demo", stdout=io.StringIO())
    assert PollingStation.objects.filter(is_demo=False).count() == 0
    assert Observer.objects.filter(is_demo=False).count() == 0
    assert all(s.registered_voters is None for s in PollingStation.objects.all())  # no invented figures


def test_demo_observers_have_invented_phone_numbers_for_sms():
    call_command("load_demo", stdout=io.StringIO())
    phones = dict(Observer.objects.values_list("user__username", "phone"))
    assert phones["observer1"] == "+77000000101"  # kept in E.164, so that an SMS from it finds observer1
    assert all(phone.startswith("+7700000") for phone in phones.values())


def test_incidents_in_a_spread_of_statuses_with_history():
    call_command("load_demo", stdout=io.StringIO())
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert {Status.PUBLISHED, Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.VERIFIED} <= statuses
    national = Incident.objects.filter(election__slug="kz-2021-mazhilis")
    assert national.count() == 9
    for incident in Incident.objects.all():
        assert incident.events.filter(action="submitted").exists()
    assert national.published().filter(region__code="KZ-75").count() == 3


def test_running_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    before = counts()
    references = set(Incident.objects.values_list("reference", flat=True))
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before
    assert set(Incident.objects.values_list("reference", flat=True)) == references


def test_progress_is_printed(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Regions: 17" in out and "Reported incidents: 9" in out
    assert "password" not in out  # debug is off in the suite: no logins printed


def test_missing_file_names_it():
    with pytest.raises(CommandError, match=r"nowhere\.json: file not found"):
        call_command("load_demo", demo_file="/nowhere.json")


def test_malformed_json_names_the_file(tmp_path):
    broken = tmp_path / "demo.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"demo\.json: not valid JSON"):
        call_command("load_demo", demo_file=str(broken))


def test_wrong_shape_loads_nothing(tmp_path):
    demo = json.loads(DEFAULT_DEMO_FILE.read_text(encoding="utf-8"))
    facts = json.loads((DEFAULT_DEMO_FILE.parent / demo["facts_file"]).read_text(encoding="utf-8"))
    del facts["incidents_reported"][3]["what"]  # fails late, after regions and parties
    (tmp_path / demo["facts_file"]).write_text(json.dumps(facts), encoding="utf-8")
    (tmp_path / "demo.json").write_text(json.dumps(demo), encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_demo", demo_file=str(tmp_path / "demo.json"), stdout=io.StringIO())
    assert not Election.objects.exists() and not Region.objects.exists() and not Incident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_role_groups_survive_a_flush():
    from django.contrib.auth.models import Group

    call_command("flush", "--no-input", stdout=io.StringIO())
    assert set(Group.objects.values_list("name", flat=True)) == {"Observer", "Moderator", "Coordinator"}
    assert Group.objects.get(name="Moderator").permissions.filter(codename="moderate_incident").exists()


def test_an_invented_local_election_lives_beside_the_current_one():
    call_command("load_demo", stdout=io.StringIO())
    local = Election.objects.get(slug="demo-almaty-council")
    assert not local.is_current and Election.objects.get(is_current=True).slug == "kz-2021-mazhilis"
    assert "demo" in local.name_en.lower()
    incidents = Incident.objects.filter(election=local)
    assert incidents.exists() and all(incident.is_demo for incident in incidents)
    assert incidents.filter(status=Status.PUBLISHED).exists()
    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before


def test_a_demo_moderator_moderates_almaty_only():
    from django.contrib.auth import get_user_model

    from incidents import permissions

    call_command("load_demo", stdout=io.StringIO())
    user = get_user_model().objects.get(username="moderator_almaty")
    almaty = Region.objects.get(code="KZ-75")
    assert almaty.pk in permissions.moderation_scope(user)
    assert Region.objects.get(code="KZ-79").pk not in permissions.moderation_scope(user)


def test_the_demo_pvt_is_invented_marked_and_beside_the_official_result(client):
    from django.urls import reverse

    from incidents.results import pvt
    from incidents.results import pvt_selectors as selectors

    call_command("load_demo", stdout=io.StringIO())
    election = Election.objects.get(slug="kz-2021-mazhilis")
    sample = PvtSample.objects.get(election=election)
    assert sample.is_demo and sample.published
    numbers = list(sample.stations.values_list("polling_station__number", flat=True))
    assert pvt.fingerprint(sample.seed, numbers) == sample.fingerprint
    copies = ProtocolCopy.objects.filter(election=election)
    assert copies.count() == len(numbers) and not copies.filter(is_demo=False).exists()
    assert copies.counted().count() == len(numbers) and all(copy.checks_passed for copy in copies)
    assert not PollingStation.objects.filter(election=election, is_demo=False).exists()
    overview = selectors.pvt_overview(election)
    nur_otan = next(row for row in overview.national.comparisons if row.key == "Nur Otan")
    assert nur_otan.estimate.enough and nur_otan.official == pytest.approx(0.7109)  # 71.09%, as the page shows it
    home = client.get(reverse("home")).content.decode()
    assert "PVT estimate beside the official result" in home
    assert "Demo: these copies are invented, not observed." in home
