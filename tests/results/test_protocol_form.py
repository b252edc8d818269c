"""The observer's protocol form: fields from the election's setup, "send anyway?" before a copy that does not add up."""

import pytest
from django.urls import reverse

from incidents.models import ProtocolCopy
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("protocol-copy-new")


@pytest.fixture
def station(counted_election, region):
    return factories.PollingStationFactory(election=counted_election, region=region, number="75-007")


def post_data(counted_election, good_figures, station, **changes):
    lines, votes = good_figures
    data = {"polling_station": station.number, "copied_at": "2021-01-10 22:30", "client_token": "form-token-1"}
    data |= {f"line_{code}": value for code, value in lines.items()}
    data |= {f"party_{pk}": value for pk, value in votes.items()}
    return data | changes


def test_the_form_asks_for_each_line_and_party_of_the_election(client, observer, counted_election):
    client.force_login(observer.user)
    page = client.get(URL).content.decode()
    assert "Ballots in the boxes" in page and "Unused ballots cancelled" in page
    assert all(party.name in page for party in counted_election.test_parties)


def test_a_copy_that_adds_up_is_sent_at_once(client, observer, counted_election, good_figures, station):
    client.force_login(observer.user)
    response = client.post(URL, post_data(counted_election, good_figures, station))
    assert response.status_code == 302
    copy = ProtocolCopy.objects.get()
    assert copy.observer == observer and copy.checks_passed


def test_figures_that_do_not_add_up_are_shown_first_then_sent_anyway(
    client, observer, counted_election, good_figures, station
):
    client.force_login(observer.user)
    data = post_data(counted_election, good_figures, station, line_issued=990)  # 1000 cast > 990 issued
    first = client.post(URL, data)
    page = first.content.decode()
    assert first.status_code == 400 and "These figures do not add up" in page
    assert "No more ballots cast than issued." in page and "Send anyway" in page
    assert not ProtocolCopy.objects.exists()
    second = client.post(URL, data | {"send_anyway": "on"})
    assert second.status_code == 302
    assert not ProtocolCopy.objects.get().checks_passed


def test_a_double_send_files_one_copy(client, observer, counted_election, good_figures, station):
    client.force_login(observer.user)
    data = post_data(counted_election, good_figures, station)
    client.post(URL, data)
    client.post(URL, data)
    assert ProtocolCopy.objects.count() == 1


def test_an_unknown_station_re_renders_with_a_message(client, observer, counted_election, good_figures, station):
    client.force_login(observer.user)
    response = client.post(URL, post_data(counted_election, good_figures, station, polling_station="99-999"))
    assert response.status_code == 400 and "There is no polling station with this number" in response.content.decode()


def test_only_observers(client, moderator):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(moderator)
    assert client.get(URL).status_code == 403
