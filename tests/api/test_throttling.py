"""Request limits per anonymous client and per user, from the settings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(anonymous, user):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anonymous": anonymous, "user": user},
        }

    return set_rates


def test_anonymous_clients_are_limited_per_address(api, election, rates):
    rates("2/minute", "100/minute")
    url = reverse("api-election-list")
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 429]
    limited = api.get(url)
    assert limited.json()["error"]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert api.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200  # another client


def test_forwarded_for_is_not_trusted_without_proxies(api, election, rates):
    rates("1/minute", "100/minute")
    url = reverse("api-election-list")
    assert api.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert api.get(url, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_users_are_limited_per_user(observer_api, other_observer_api, election, rates):
    rates("100/minute", "2/minute")
    url = reverse("api-report-list")
    assert [observer_api.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert other_observer_api.get(url).status_code == 200
