"""A coordinator issues tokens only for the accounts within their reach, and only for a bounded time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from .. import factories

pytestmark = pytest.mark.django_db


def post_token(client, user, expiry):
    return client.post(
        reverse("admin:knox_authtoken_add"),
        {"user": user.pk, "expiry_0": expiry.strftime("%Y-%m-%d"), "expiry_1": "12:00:00"},
    )


def test_a_coordinator_cannot_issue_a_token_for_a_superuser(client, coordinator, force_login_verified):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    force_login_verified(coordinator)
    response = post_token(client, superuser, timezone.now() + datetime.timedelta(days=7))
    assert response.status_code == 200  # the form again, with its error
    assert "user" in response.context["adminform"].form.errors
    assert not AuthToken.objects.filter(user=superuser).exists()


def test_a_token_cannot_outlive_the_bound(client, coordinator, observer, force_login_verified):
    force_login_verified(coordinator)
    response = post_token(client, observer.user, datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    assert response.status_code == 200
    assert "expiry" in response.context["adminform"].form.errors
    assert not AuthToken.objects.filter(user=observer.user).exists()


def test_a_staff_token_is_bounded_tighter(client, coordinator, moderator, force_login_verified, settings):
    force_login_verified(coordinator)
    days = settings.OBSERVER_STAFF_API_TOKEN_MAX_DAYS + 5
    response = post_token(client, moderator, timezone.now() + datetime.timedelta(days=days))
    assert "expiry" in response.context["adminform"].form.errors
    assert not AuthToken.objects.filter(user=moderator).exists()


def test_tokens_of_accounts_beyond_reach_are_not_listed(client, coordinator, force_login_verified):
    superuser = factories.UserFactory(username="the-superuser", is_staff=True, is_superuser=True)
    AuthToken.objects.create(user=superuser)
    force_login_verified(coordinator)
    listing = client.get(reverse("admin:knox_authtoken_changelist")).content.decode()
    assert "the-superuser" not in listing
