"""The FilterSet shared by the public pages, the exports and the API."""

import datetime
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from incidents import selectors
from incidents.models import IncidentKind, Verification
from incidents.public.filters import PublicIncidentFilter

from . import factories
from .public_data import published

pytestmark = pytest.mark.django_db


def query(data):
    """``data`` as a query string arrives (a QueryDict), as pages and the API pass it."""
    return None if data is None else QueryDict(urlencode(data, doseq=True))


def matching(data):
    filterset = PublicIncidentFilter(query(data), queryset=selectors.incidents_public())
    assert filterset.is_valid(), filterset.errors
    return {incident.reference for incident in filterset.qs}


def refused(data):
    filterset = PublicIncidentFilter(query(data), queryset=selectors.incidents_public())
    assert not filterset.is_valid()
    assert not filterset.qs.exists()
    return filterset.errors


def test_current_election_by_default_another_by_slug(election, region):
    here = published(election, region)
    other_election = factories.ElectionFactory(slug="older", is_current=False)
    there = published(other_election, region)
    assert matching({}) == {here.reference}
    assert matching(None) == {here.reference}
    assert matching({"election": "older"}) == {there.reference}


def test_only_published_incidents(election, region):
    shown = published(election, region)
    factories.IncidentFactory(election=election, region=region, status="verified", public_summary="Ready.")
    assert matching({}) == {shown.reference}


def test_kind_takes_several_values(election, region):
    detention = published(election, region, kind=IncidentKind.DETENTION)
    blockage = published(election, region, kind=IncidentKind.INTERNET_BLOCKAGE)
    published(election, region, kind=IncidentKind.OTHER)
    assert matching({"kind": ["detention", "internet_blockage"]}) == {detention.reference, blockage.reference}


def test_region_includes_its_sub_regions(election, region):
    district = factories.RegionFactory(code="KZ-75-01", parent=region, level="district")
    street = factories.RegionFactory(code="KZ-75-01-1", parent=district, level="locality")
    elsewhere = factories.RegionFactory(code="KZ-71")
    in_city = published(election, region)
    in_district = published(election, district)
    in_street = published(election, street)
    published(election, elsewhere)
    assert matching({"region": "KZ-75"}) == {in_city.reference, in_district.reference, in_street.reference}
    assert matching({"region": "KZ-75-01"}) == {in_district.reference, in_street.reference}


def test_polling_station_by_number(election, region, polling_station):
    at_station = published(election, region, polling_station=polling_station)
    published(election, region)
    assert matching({"station": "75-001"}) == {at_station.reference}
    assert matching({"station": "99-999"}) == set()


def test_dates_are_days_in_the_election_time_zone(election, region):
    # 20:00 UTC on the 9th is 02:00 on the 10th in Almaty.
    early = published(election, region, occurred_at=datetime.datetime(2021, 1, 9, 20, 0, tzinfo=datetime.UTC))
    late = published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 18, 30, tzinfo=datetime.UTC))
    assert matching({"date_from": "2021-01-10", "date_to": "2021-01-10"}) == {early.reference}
    assert matching({"date_from": "2021-01-11"}) == {late.reference}
    assert matching({"date_to": "2021-01-09"}) == set()


def test_verification_level(election, region):
    confirmed = published(election, region)
    published(election, region, verification=Verification.CORROBORATED)
    assert matching({"verification": "confirmed"}) == {confirmed.reference}


def test_text_searches_public_summary_and_reference_never_private_text(election, region):
    police = published(election, region, public_summary="Police stopped the count.")
    other = published(election, region, description="SECRET-WORD in the observer's own words")
    assert matching({"q": "police"}) == {police.reference}
    assert matching({"q": other.reference.lower()}) == {other.reference}
    assert matching({"q": "SECRET-WORD"}) == set()


def test_sort_by_time(election, region):
    first = published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 5, tzinfo=datetime.UTC))
    second = published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 6, tzinfo=datetime.UTC))
    queryset = selectors.incidents_public()
    newest = PublicIncidentFilter(query({}), queryset=queryset).qs
    assert [i.reference for i in newest] == [second.reference, first.reference]
    oldest = PublicIncidentFilter(query({"sort": "occurred"}), queryset=queryset).qs
    assert [i.reference for i in oldest] == [first.reference, second.reference]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"region": "XX-00"}, "region"),
        ({"date_from": "2021-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2021-01-11", "date_to": "2021-01-10"}, "date_to"),
        ({"verification": "rumour"}, "verification"),
        ({"election": "nope"}, "election"),
        ({"sort": "random"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_values_give_a_message_and_no_incidents(election, region, data, field):
    published(election, region)
    errors = refused(data)
    assert errors.get(field)


def test_the_form_reads_each_choice_list_once_as_it_renders(election, region):
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    factories.RegionFactory(code="KZ-11")
    filterset = PublicIncidentFilter(query({}), queryset=selectors.incidents_public())
    assert filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("incidents/_filter_form.html", {"form": filterset.form})
    region_lists = [q for q in queries.captured_queries if 'FROM "incidents_region"' in q["sql"]]
    # a select reads its choices twice (to render, and to decide on ``required``): the rows are read once
    assert len(region_lists) == 1
    assert 'value="KZ-11"' in html and f'value="{region.code}"' in html


def test_a_region_added_later_is_offered_on_the_next_page(
    client, settings, election, region, django_capture_on_commit_callbacks
):
    settings.OBSERVER_PUBLIC_CACHE_SECONDS = 0
    # Whatever reads the choices of the filter's own field (not a form's copy) must not fix them for later requests.
    list(PublicIncidentFilter.base_filters["region"].field.choices)
    client.get("/incidents/")
    with django_capture_on_commit_callbacks(execute=True):  # the region's transaction commits
        factories.RegionFactory(code="KZ-99", name_en="Newly imported region")
    assert "Newly imported region" in client.get("/incidents/").content.decode()
