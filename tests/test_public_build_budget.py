"""Public pages missing from the cache are built within a budget, so that a flood of random
filters spends its sender's budget and not the readers' capacity (incidents/public/cache.py)."""

import threading

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from incidents.public import cache as public_cache

from .public_data import published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_budget():
    public_cache.reset_budget()
    yield
    public_cache.reset_budget()


@pytest.fixture
def one_incident(election, region):
    return published(election, region, public_summary="A report on the list.")


def test_the_same_filters_in_another_order_share_one_page(client, one_incident, django_assert_num_queries):
    first = client.get(reverse("incident-list") + "?kind=detention&region=KZ-75&q=")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(reverse("incident-list") + "?region=KZ-75&kind=detention")
    assert again.status_code == 200 and again.content == first.content


def test_a_client_past_its_builds_is_answered_429_and_still_gets_cached_pages(client, settings, one_incident):
    settings.OBSERVER_PUBLIC_BUILDS_PER_CLIENT = 3
    pages = [reverse("incident-list") + f"?q=word{number}" for number in range(4)]
    assert [client.get(page).status_code for page in pages[:3]] == [200, 200, 200]
    refused = client.get(pages[3])
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= public_cache.BUILD_WINDOW_SECONDS
    assert refused["Cache-Control"] == "no-store"
    # What is in the cache costs no build: still served.
    assert client.get(pages[0]).status_code == 200
    # Another address has a budget of its own.
    assert client.get(pages[3], REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_whole_page_and_the_content_inside_it_count_as_one_build(client, settings, one_incident):
    settings.OBSERVER_PUBLIC_BUILDS_PER_CLIENT = 1
    assert client.get(reverse("incident-list")).status_code == 200


def test_a_busy_process_answers_503_for_a_page_to_build_and_serves_cached_ones(client, settings, one_incident):
    settings.OBSERVER_PUBLIC_BUILDS_PER_PROCESS = 1
    cached_page = reverse("incident-list")
    assert client.get(cached_page).status_code == 200
    slots = public_cache._build_slots()
    assert slots.acquire(blocking=False)  # another request is building a page
    try:
        busy = client.get(reverse("incident-list") + "?q=not-yet-cached")
        assert busy.status_code == 503 and busy["Retry-After"] == "1"
        assert client.get(cached_page).status_code == 200
    finally:
        slots.release()
    assert client.get(reverse("incident-list") + "?q=not-yet-cached").status_code == 200


def test_an_identical_miss_waits_for_the_build_under_way_instead_of_building_again():
    request = RequestFactory().get("/incidents/")
    key = "public:page:test"
    cache.add(f"{key}:building", 1)  # another request builds it

    def other_build_finishes():
        cache.set(key, "built once")

    timer = threading.Timer(0.05, other_build_finishes)
    timer.start()

    def build():
        raise AssertionError("built twice")

    try:
        assert public_cache.build_within_budget(request, key, build, lambda value: None) == "built once"
    finally:
        timer.join()


def test_a_refused_client_is_refused_again_without_asking_redis(client, settings, one_incident):
    """Once past its builds, a client is refused by this process until the window ends, with no
    round trip to the cache for its count; a new window forgets it."""
    from unittest import mock

    settings.OBSERVER_PUBLIC_BUILDS_PER_CLIENT = 1
    pages = [reverse("incident-list") + f"?q=word{number}" for number in range(4)]
    assert client.get(pages[0]).status_code == 200
    assert client.get(pages[1]).status_code == 429
    with mock.patch.object(public_cache, "_client_spends_a_build", side_effect=AssertionError("asked Redis")):
        refused = client.get(pages[2])
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= public_cache.BUILD_WINDOW_SECONDS
    # Another address is not refused for it
    assert client.get(pages[2], REMOTE_ADDR="192.0.2.7").status_code == 200
    # The next window: a budget again
    later = public_cache.time.time() + public_cache.BUILD_WINDOW_SECONDS
    with mock.patch.object(public_cache.time, "time", return_value=later):
        assert client.get(pages[3]).status_code == 200
