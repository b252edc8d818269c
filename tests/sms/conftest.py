import pytest

from incidents.models import RegionLevel

from .. import factories


@pytest.fixture
def almaty(election):
    region = factories.RegionFactory(code="KZ-75", name_en="Almaty", level=RegionLevel.CITY)
    for number in ("75-001", "75-002"):
        factories.PollingStationFactory(election=election, region=region, number=number)
    return region


@pytest.fixture
def sms_observer(almaty):
    return factories.ObserverFactory(phone="+7 701 555 0123")


PHONE = "+77015550123"
