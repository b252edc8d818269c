"""Parts many public pages share, kept in the cache apart from the pages: incident cards
(``public.cards``: an incident as lists show it, rendered once per incident and language, so that
a list page the page cache does not hold costs its ids and one cache read), and the incident
counts of the overview, the region pages and the map (``public.cache.kept``). Whatever makes
pages stale makes these stale."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from incidents.models import IncidentKind, Status

from . import factories
from .conftest import publish
from .public_data import many_published, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Pages are built every time: what is left cached is the parts."""
    settings.OBSERVER_PUBLIC_CACHE_SECONDS = 0
    settings.OBSERVER_PUBLIC_PARTS_SECONDS = 3600


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def card_keys():
    return [key for key in cache._cache if ":public:part:" in key and ":card:" in key]


def incident_rows_read(queries):
    """The queries that load incidents' public columns (what a card is made of)."""
    return [query["sql"] for query in queries if '"incidents_incident"."public_summary"' in query["sql"]]


def test_a_list_built_again_reads_its_cards_not_its_incidents(client, election, region):
    many_published(election, [region], 30)
    with CaptureQueriesContext(connection) as first:
        first_page = text(client.get(reverse("incident-list")))
    assert len(incident_rows_read(first.captured_queries)) == 1
    assert len(card_keys()) == 25  # one page of cards
    # The same list built again (the page cache is off): its cards come from the cache
    with CaptureQueriesContext(connection) as again:
        again_page = text(client.get(reverse("incident-list")))
    assert incident_rows_read(again.captured_queries) == []
    assert again_page == first_page
    with CaptureQueriesContext(connection) as second_page:
        text(client.get(reverse("incident-list") + "?page=2"))
    # the five incidents not shown yet are read, and only those
    assert len(incident_rows_read(second_page.captured_queries)) == 1
    assert len(card_keys()) == 30


def test_the_overview_and_a_region_page_show_the_same_cards(client, election, region):
    incident = published(election, region, public_summary="Observers kept out at opening.")
    for url in (reverse("home"), region.get_absolute_url(), reverse("incident-list")):
        page = text(client.get(url))
        assert "Observers kept out at opening." in page and incident.reference in page, url
    assert len(card_keys()) == 1


def test_an_edit_and_a_retraction_reach_every_card_at_once(
    client, region, submit, moderator, django_capture_on_commit_callbacks
):
    pages = (reverse("home"), reverse("incident-list"), region.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        incident = publish(submit(), moderator, summary="First wording.")
    for url in pages:
        assert "First wording." in text(client.get(url)), url
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_edit(
            incident=incident, actor=moderator, changes={"public_summary": "Better wording."}
        )
    for url in pages:
        page = text(client.get(url))
        assert "Better wording." in page and "First wording." not in page, url
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=incident, to_status=Status.RETRACTED, actor=moderator, comment="Wrong.")
    for url in pages:
        page = text(client.get(url))
        assert "Better wording." not in page and incident.reference not in page, url


def test_a_card_is_kept_in_each_language(client, election, region):
    published(election, region, kind=IncidentKind.DETENTION)
    for language, label in (("en", "Detention"), ("ru", "Задержание"), ("kk", "Ұстау"), ("en", "Detention")):
        page = text(client.get(reverse("incident-list"), headers={"accept-language": language}))
        assert f">{label} — " in page, language
    assert len(card_keys()) == 3


def test_parts_seconds_zero_keeps_no_card(client, settings, election, region):
    settings.OBSERVER_PUBLIC_PARTS_SECONDS = 0
    published(election, region, public_summary="Shown, not kept.")
    assert "Shown, not kept." in text(client.get(reverse("incident-list")))
    assert card_keys() == []


def test_no_private_value_in_a_kept_card(client, fully_filled_incident):
    text(client.get(reverse("incident-list")))
    kept = cache.get_many([key.split(":", 2)[2] for key in card_keys()])
    assert kept
    for card in kept.values():
        fully_filled_incident.assert_absent_from(card)


def test_kept_counts_follow_a_publish_and_a_retraction(
    client, region, submit, moderator, django_capture_on_commit_callbacks
):
    pages = (reverse("home"), region.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(submit(), moderator)
    for url in pages:
        client.get(url)
    assert [key for key in cache._cache if ":counts:" in key], "the counts are kept"
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"] and "GROUP BY" in query["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        publish(submit(), moderator)
    assert client.get(reverse("home")).context["incident_total"] == 2
    assert client.get(region.get_absolute_url()).context["summary"].incidents == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=first, to_status=Status.RETRACTED, actor=moderator, comment="Wrong.")
    assert client.get(reverse("home")).context["incident_total"] == 1
    assert client.get(region.get_absolute_url()).context["summary"].incidents == 1


def part_keys(kind):
    return [key for key in cache._cache if ":public:part:" in key and f":{kind}:" in key]


def test_a_region_page_built_again_reads_no_blockage(client, election, region, observer, moderator):
    from .blockages import submit_blockage

    first = publish(submit_blockage(reporter=observer, election=election, region=region), moderator)
    page = text(client.get(region.get_absolute_url()))
    assert first.reference in page[page.index('id="blockages-heading"') :]
    assert len(part_keys("region-blockages")) == 1
    # Built again (the page cache is off): the section comes whole from the cache
    with CaptureQueriesContext(connection) as again:
        assert text(client.get(region.get_absolute_url())) == page
    assert incident_rows_read(again.captured_queries) == []
    # One kept per language
    russian = text(client.get(region.get_absolute_url(), headers={"accept-language": "ru"}))
    assert "Блокировки интернета" in russian
    assert len(part_keys("region-blockages")) == 2


def test_a_kept_blockage_section_follows_a_publish(
    client, election, region, observer, moderator, django_capture_on_commit_callbacks
):
    from .blockages import submit_blockage

    with django_capture_on_commit_callbacks(execute=True):
        first = publish(submit_blockage(reporter=observer, election=election, region=region), moderator)
    assert first.reference in text(client.get(region.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        second = publish(submit_blockage(reporter=observer, election=election, region=region), moderator)
    page = text(client.get(region.get_absolute_url()))
    section = page[page.index('id="blockages-heading"') :]
    assert first.reference in section and second.reference in section
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=first, to_status=Status.RETRACTED, actor=moderator, comment="Wrong.")
    assert first.reference not in text(client.get(region.get_absolute_url()))


def test_a_kept_blockage_section_is_drawn_again_each_minute(client, election, region, observer, moderator):
    """An ongoing blockage's bar runs to now: the section is kept for the minute it was drawn in."""
    import datetime
    from unittest import mock

    from django.utils import timezone

    from .blockages import submit_blockage

    publish(submit_blockage(reporter=observer, election=election, region=region, ended_at=None), moderator)
    now = timezone.now()
    with mock.patch("incidents.public.views.timezone.now", return_value=now.replace(second=1)):
        text(client.get(region.get_absolute_url()))
    with mock.patch("incidents.public.views.timezone.now", return_value=now.replace(second=59)):
        text(client.get(region.get_absolute_url()))
    assert len(part_keys("region-blockages")) == 1
    later = now.replace(second=1) + datetime.timedelta(minutes=1)
    with mock.patch("incidents.public.views.timezone.now", return_value=later):
        text(client.get(region.get_absolute_url()))
    assert len(part_keys("region-blockages")) == 2
    # A minute's section is never read after it: it is kept two minutes, not the parts' hour
    import time

    for key in part_keys("region-blockages"):
        assert 0 < cache._expire_info[key] - time.time() <= 2 * 60
    (card,) = card_keys()
    assert cache._expire_info[card] - time.time() > 50 * 60


def region_rows(page):
    """The region names of the overview's table, in order."""
    table = page[page.index('class="results region-table"') :]
    table = table[: table.index("</table>")]
    return [row.split("</a>")[0].rsplit(">", 1)[-1] for row in table.split('<th scope="row">')[1:]]


def test_the_overview_keeps_its_regions_in_each_order(client, election, region):
    other_region = factories.RegionFactory(code="KZ-19", name_en="Akmola", name_ru="Акмола", name_kk="Ақмола")
    many_published(election, [other_region], 3)
    published(election, region)
    by_name = text(client.get(reverse("home")))
    by_incidents = text(client.get(reverse("home") + "?sort=-incidents"))
    assert region_rows(by_incidents)[0] == other_region.name
    assert sorted(region_rows(by_name)) == region_rows(by_name)
    assert len(part_keys("overview-regions")) == 2
    # Built again: the same section from the cache, no region read
    with CaptureQueriesContext(connection) as again:
        assert text(client.get(reverse("home") + "?sort=-incidents")) == by_incidents
    assert not [query for query in again.captured_queries if 'FROM "incidents_region"' in query["sql"]]
    # An unknown order is drawn by name, saying so, and kept apart from the order by name
    unknown = text(client.get(reverse("home") + "?sort=nonsense"))
    assert "Unknown sort order" in unknown and "Unknown sort order" not in by_name
    assert region_rows(unknown) == region_rows(by_name)


def test_the_overview_regions_follow_a_publish(client, region, submit, moderator, django_capture_on_commit_callbacks):
    def incidents_in_table():
        page = text(client.get(reverse("home")))
        table = page[page.index('class="results region-table"') :]
        row = table[table.index(f">{region.name}</a>") :]
        return row.split('<td class="num">')[2].split("</td>")[0]

    with django_capture_on_commit_callbacks(execute=True):
        publish(submit(), moderator)
    assert ">1</a>" in incidents_in_table()
    with django_capture_on_commit_callbacks(execute=True):
        publish(submit(), moderator)
    assert ">2</a>" in incidents_in_table()
    assert len(part_keys("overview-regions")) == 2  # one per generation; the stale one is never read again


def test_no_private_value_in_any_kept_part(client, fully_filled_incident):
    for url in (reverse("home"), reverse("incident-list"), fully_filled_incident.incident.region.get_absolute_url()):
        text(client.get(url))
    keys = [key for key in cache._cache if ":public:part:" in key]
    assert any(":overview-regions:" in key for key in keys) and any(":card:" in key for key in keys)
    for value in cache.get_many([key.split(":", 2)[2] for key in keys]).values():
        fully_filled_incident.assert_absent_from(repr(value))


def test_a_filtered_list_built_again_reads_only_its_count_and_its_ids(client, election, region):
    """The elections, the regions (the filter's choices, the region asked for and its sub-regions)
    are reference data the process keeps: a list built again asks the database for nothing else."""
    many_published(election, [region], 30)
    url = reverse("incident-list") + f"?region={region.code}&kind=detention"
    first_page = text(client.get(url))
    with CaptureQueriesContext(connection) as again:
        again_page = text(client.get(url))
    assert again_page == first_page
    tables = [query["sql"].split(" FROM ", 1)[1].split(" ", 1)[0] for query in again.captured_queries]
    assert tables == ['"incidents_incident"', '"incidents_incident"'], tables  # the count, then the page's ids


def test_kept_reference_data_follows_a_new_election_and_region(
    client, election, region, django_capture_on_commit_callbacks
):
    assert 'value="KZ-98"' not in text(client.get(reverse("incident-list")))
    with django_capture_on_commit_callbacks(execute=True):
        factories.RegionFactory(code="KZ-98", name_en="Region added later")
        newer = factories.ElectionFactory(slug="newer-election", name_en="A newer election", is_current=False)
    page = text(client.get(reverse("incident-list")))
    assert 'value="KZ-98"' in page and "A newer election" in page
    assert text(client.get(reverse("incident-list") + "?region=KZ-98")).count("Region added later") >= 1
    with django_capture_on_commit_callbacks(execute=True):
        type(election).objects.filter(pk=election.pk).update(is_current=False)
        newer.is_current = True
        newer.save()  # the current election changes
    from incidents.public import filters

    assert filters.current_election() == newer


def test_a_region_not_in_the_kept_rows_is_refused_as_before(client, election, region):
    for code in ["KZ-00", region.code.lower(), f" {region.code}"]:
        response = client.get(reverse("incident-list"), {"region": code})
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode(), code
    assert client.get(reverse("incident-list"), {"region": region.code}).status_code == 200


def test_a_region_given_as_a_row_is_the_region_of_its_code(election, region):
    from incidents import selectors
    from incidents.public.filters import PublicIncidentFilter

    filterset = PublicIncidentFilter({"region": region}, queryset=selectors.incidents_public())
    assert filterset.is_valid(), filterset.errors
    assert filterset.form.cleaned_data["region"] == region


def test_kept_reference_data_is_a_copy_for_each_caller(election):
    from incidents.public import filters

    first, second = filters.current_election(), filters.current_election()
    assert first == second == election and first is not second
    first.name_en = "changed by one request"
    assert filters.current_election().name_en == election.name_en


def test_parts_seconds_zero_keeps_no_reference_data(client, settings, election, region):
    settings.OBSERVER_PUBLIC_PARTS_SECONDS = 0
    text(client.get(reverse("incident-list")))
    with CaptureQueriesContext(connection) as again:
        text(client.get(reverse("incident-list")))
    assert any('FROM "incidents_region"' in query["sql"] for query in again.captured_queries)
    assert any('FROM "incidents_election"' in query["sql"] for query in again.captured_queries)
