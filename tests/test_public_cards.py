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
