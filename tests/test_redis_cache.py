"""The cache as production runs it: Redis through django-redis (``REDIS_URL``).

The rest of the suite runs on a local-memory cache; here the pieces that
depend on the cache's semantics run against the local Redis (127.0.0.1:6379,
database 15, a key prefix of each test's own). Skipped without Redis, except
when OBSERVER_REQUIRE_REDIS=1 (as in CI), where a missing Redis fails.
"""

import os
import uuid

import pytest
from django.urls import reverse

from incidents import services

from .conftest import publish
from .public_data import published

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("OBSERVER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def redis_cache(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} does not answer ({error})"
        if os.environ.get("OBSERVER_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    from django.core.cache import caches

    cache = caches["default"]
    assert type(cache).__module__ == "django_redis.cache"
    yield cache
    cache.delete_pattern("*")


def test_health_check_passes_with_redis(client):
    assert client.get("/healthz").json()["checks"]["cache"] == "ok"


def test_whole_pages_come_from_redis_and_a_publish_shows_at_once(
    client, election, region, submit, moderator, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    published(election, region, public_summary="The first published incident.")
    first = client.get(reverse("incident-list"))
    with django_assert_max_num_queries(0):
        again = client.get(reverse("incident-list"))
    assert again.content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        publish(submit(), moderator, summary="A new one, published now.")
    assert "A new one, published now." in client.get(reverse("incident-list")).content.decode()


def test_cache_seconds_zero_turns_the_page_cache_off(client, settings, election, region):
    settings.OBSERVER_PUBLIC_CACHE_SECONDS = 0
    published(election, region)
    client.get(reverse("incident-list"))
    response = client.get(reverse("incident-list"))
    assert response.status_code == 200
    assert response.context is not None  # rendered again, not read from the cache


def test_the_limit_of_new_reports_counts_in_redis(settings, submit):
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 2
    submit()
    submit()
    with pytest.raises(services.SubmissionRateLimited):
        submit()
