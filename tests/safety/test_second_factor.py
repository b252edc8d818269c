"""Staff powers need a verified second factor, whatever the way in: session, token, API, admin."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from incidents import permissions, services
from incidents.models import Observer

from .. import factories

pytestmark = pytest.mark.django_db


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def verified(user):
    # What django-otp's middleware gives a request's user after a code was entered.
    user.is_verified = lambda: True
    return user


@pytest.fixture
def staff_observer(db):
    """A moderator account that a coordinator also gave an observer profile."""
    moderator = factories.ModeratorFactory()
    factories.ObserverFactory(user=moderator)
    return moderator


def test_session_with_password_only_has_no_staff_powers(client, staff_observer, submit):
    client.force_login(staff_observer)  # the password, no code
    response = client.get(reverse("api-moderation-list") + "?status=all")
    assert response.status_code == 403


def test_the_observer_token_page_issues_no_token_to_a_staff_account(client, staff_observer):
    client.force_login(staff_observer)
    response = client.post(reverse("report-api-tokens"), {"action": "create"})
    assert response.status_code == 403
    assert not AuthToken.objects.filter(user=staff_observer).exists()


def test_the_service_refuses_a_self_issued_staff_token(staff_observer):
    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=staff_observer, actor=staff_observer)
    assert not AuthToken.objects.filter(user=staff_observer).exists()


def test_a_staff_token_made_outside_the_service_unlocks_no_staff_power(staff_observer, submit):
    # e.g. issued by an older release, or written by hand into the table
    submit()
    _row, token = AuthToken.objects.create(user=staff_observer)
    client = with_token(token)
    assert client.get(reverse("api-moderation-list") + "?status=all").status_code == 403
    # it is still the observer's token for their own reports
    assert client.get(reverse("api-report-list")).status_code == 200


def test_a_coordinator_under_a_verified_session_issues_a_bounded_staff_token(staff_observer, caplog, settings):
    coordinator = verified(factories.CoordinatorFactory())
    with caplog.at_level(logging.INFO, logger="security"):
        row, token = services.api_token_issue(user=staff_observer, actor=coordinator)
    assert row.expiry <= timezone.now() + datetime.timedelta(days=settings.OBSERVER_STAFF_API_TOKEN_MAX_DAYS)
    assert any("api-token-issued" in line and f"by={coordinator.username}" in line for line in caplog.messages)
    assert with_token(token).get(reverse("api-moderation-list")).status_code == 200


def test_a_coordinator_without_a_verified_session_issues_no_staff_token(staff_observer):
    coordinator = factories.CoordinatorFactory()
    coordinator.is_verified = lambda: False
    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=staff_observer, actor=coordinator)


def test_a_coordinator_issues_no_token_beyond_their_reach(db):
    coordinator = verified(factories.CoordinatorFactory())
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.api_token_issue(user=superuser, actor=coordinator)


def test_staff_token_lifetime_is_bounded(staff_observer, settings):
    coordinator = verified(factories.CoordinatorFactory())
    with pytest.raises(ValidationError):
        services.api_token_issue(
            user=staff_observer,
            actor=coordinator,
            expiry=datetime.timedelta(days=settings.OBSERVER_STAFF_API_TOKEN_MAX_DAYS + 1),
        )


def test_token_user_is_not_unlocked_by_default(staff_observer):
    # A user that no request verified has no staff powers over the API: the token authentication says.
    _row, token = AuthToken.objects.create(user=staff_observer)
    response = with_token(token).get(reverse("api-moderation-list"))
    assert response.status_code == 403
    assert permissions.is_moderator(staff_observer)  # a management command's user keeps them


def test_the_admin_warns_when_an_observer_profile_goes_on_a_staff_account(client, force_login_verified):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    staff = factories.ModeratorFactory()
    force_login_verified(superuser)
    response = client.post(
        reverse("admin:incidents_observer_add"),
        {"user": staff.pk, "kind": "independent", "phone": "", "accreditation_number": ""},
        follow=True,
    )
    assert Observer.objects.filter(user=staff).exists()
    warnings = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings and "staff" in warnings[0]


def test_the_admin_issues_staff_tokens_only_to_a_verified_coordinator(client, staff_observer, force_login_verified):
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator)  # no code: the admin itself refuses
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 302
    force_login_verified(coordinator)
    expiry = timezone.now() + datetime.timedelta(days=7)
    response = client.post(
        reverse("admin:knox_authtoken_add"),
        {"user": staff_observer.pk, "expiry_0": expiry.strftime("%Y-%m-%d"), "expiry_1": "12:00:00"},
        follow=True,
    )
    message = next(iter(response.context["messages"])).message
    token = message.split(": ", 1)[1].split(" ", 1)[0]
    assert with_token(token).get(reverse("api-moderation-list")).status_code == 200
