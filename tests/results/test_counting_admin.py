"""The staff side: a copy's figures, checks and photo side by side; decisions through the services; the sample."""

from decimal import Decimal

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import CopyStatus, ProtocolCopy
from tests import factories, samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy_with_photo(file_copy, counted_election, region, observer, good_figures):
    station = factories.PollingStationFactory(election=counted_election, region=region)
    lines = {**good_figures[0], "issued": 990}  # fails cast ≤ issued
    return file_copy(station=station, observer=observer, lines=lines, photo=samples.jpeg_with_gps("sheet.jpg")).copy


def test_the_copy_page_shows_figures_checks_and_photo_side_by_side(
    client, force_login_verified, moderator, copy_with_photo
):
    force_login_verified(moderator)
    page = client.get(reverse("admin:incidents_protocolcopy_change", args=[copy_with_photo.pk])).content.decode()
    assert "Ballots in the boxes" in page and "990" in page
    assert "FAILS" in page and "No more ballots cast than issued." in page
    assert reverse("protocol-photo", args=[copy_with_photo.pk]) in page


def test_a_decision_goes_through_the_service(client, force_login_verified, moderator, copy_with_photo):
    force_login_verified(moderator)
    url = reverse("admin:incidents_protocolcopy_change", args=[copy_with_photo.pk])
    response = client.post(url, {"decision": "ask", "message": "Line 3 reads 990 on the photo?", **inline_management()})
    assert response.status_code == 302
    copy_with_photo.refresh_from_db()
    assert copy_with_photo.status == CopyStatus.NEEDS_INFO
    assert copy_with_photo.events.last().comment == "Line 3 reads 990 on the photo?"
    client.post(url, {"decision": "verify", "message": "", **inline_management()})
    copy_with_photo.refresh_from_db()
    assert copy_with_photo.status == CopyStatus.VERIFIED


def inline_management():
    prefix = "events"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_the_photo_is_for_staff_until_made_public(client, force_login_verified, moderator, copy_with_photo, observer):
    url = reverse("protocol-photo", args=[copy_with_photo.pk])
    assert client.get(url).status_code == 404
    client.force_login(observer.user)
    assert client.get(url).status_code == 404
    force_login_verified(moderator)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_sample_page_shows_missing_copies_by_region(client, force_login_verified, coordinator, counted_election):
    regions = [factories.RegionFactory(code="KZ-71"), factories.RegionFactory(code="KZ-79")]
    for index in range(12):
        factories.PollingStationFactory(election=counted_election, region=regions[index % 2])
    sample = services.pvt_sample_draw(election=counted_election, wanted_margin=Decimal("0.3"), actor=coordinator)
    force_login_verified(coordinator)
    page = client.get(reverse("admin:incidents_pvtsample_change", args=[sample.pk])).content.decode()
    assert "Sampled stations whose verified copy has not arrived" in page
    assert "KZ-71" in page and "KZ-79" in page and sample.seed in page
    assert not ProtocolCopy.objects.exists()
