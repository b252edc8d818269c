import datetime

import pytest

from incidents import services
from incidents.models import LineRole, ProtocolLine
from tests import factories

#: the lines of a protocol like Kazakhstan's (codes are data of the election)
LINES = [
    ("registered", LineRole.REGISTERED, "Voters on the list"),
    ("received", LineRole.RECEIVED, "Ballots received"),
    ("issued", LineRole.ISSUED, "Ballots issued"),
    ("cast", LineRole.CAST, "Ballots in the boxes"),
    ("invalid", LineRole.INVALID, "Invalid ballots"),
    ("valid", LineRole.VALID, "Valid ballots"),
    ("cancelled", LineRole.OTHER, "Unused ballots cancelled"),
]


def add_protocol_lines(election):
    for position, (code, role, name) in enumerate(LINES, start=1):
        ProtocolLine.objects.create(election=election, code=code, role=role, position=position, name_en=name)


@pytest.fixture
def counted_election(election):
    add_protocol_lines(election)
    election.test_parties = [
        factories.PartyFactory(election=election, short_name=name, ballot_number=number)
        for number, name in enumerate(["Nur Otan", "Ak Zhol", "QHP"], start=1)
    ]
    return election


@pytest.fixture
def good_figures(counted_election):
    """A copy that adds up: 600 + 250 + 100 votes + 50 invalid = 1000 cast ≤ 1010 issued ≤ 1200 received."""
    parties = counted_election.test_parties
    lines = {"registered": 1500, "received": 1200, "issued": 1010, "cast": 1000, "invalid": 50, "valid": 950}
    lines["cancelled"] = 190
    votes = {str(parties[0].pk): 600, str(parties[1].pk): 250, str(parties[2].pk): 100}
    return lines, votes


@pytest.fixture
def file_copy(counted_election, good_figures):
    def file_copy(*, station, observer, lines=None, party_votes=None, **extra):
        return services.protocol_copy_file(
            observer=observer,
            polling_station=station,
            copied_at=datetime.datetime(2021, 1, 10, 22, 30, tzinfo=datetime.UTC),
            lines=lines or good_figures[0],
            party_votes=party_votes or good_figures[1],
            **extra,
        )

    return file_copy
