"""API tokens: issued and revoked by the observer on /report/api-tokens/, and by coordinators in the admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from incidents import services

from .. import factories

pytestmark = pytest.mark.django_db


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_observer_creates_a_token_shown_once_and_revokes_it(client, observer, election):
    client.force_login(observer.user)
    url = reverse("report-api-tokens")
    page = client.get(url)
    assert page.status_code == 200 and "You have no token." in page.content.decode()
    created = client.post(url, {"action": "create"})
    assert created["Cache-Control"] == "no-store"
    token = created.context["new_token"]
    assert token in created.content.decode()
    assert token not in client.get(url).content.decode()  # never shown again
    assert not AuthToken.objects.filter(digest=token).exists()  # only a digest is kept
    assert with_token(token).get(reverse("api-report-list")).status_code == 200

    row = AuthToken.objects.get(user=observer.user)
    response = client.post(url, {"action": "revoke", "digest": row.digest})
    assert response.status_code == 302
    assert with_token(token).get(reverse("api-report-list")).status_code == 401


def test_an_observer_cannot_revoke_anothers_token(client, observer):
    other = factories.ObserverFactory()
    services.api_token_issue(user=other.user)
    row = AuthToken.objects.get(user=other.user)
    client.force_login(observer.user)
    client.post(reverse("report-api-tokens"), {"action": "revoke", "digest": row.digest})
    assert AuthToken.objects.filter(pk=row.pk).exists()


def test_the_page_is_for_observers_only(client, moderator):
    assert client.get(reverse("report-api-tokens")).status_code == 302  # to the login page
    client.force_login(moderator)
    assert client.get(reverse("report-api-tokens")).status_code == 403


def test_tokens_per_user_are_limited(observer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    services.api_token_issue(user=observer.user)
    services.api_token_issue(user=observer.user)
    with pytest.raises(services.accounts.ValidationError):
        services.api_token_issue(user=observer.user)


def test_an_expired_token_does_not_work(observer):
    row, token = services.api_token_issue(user=observer.user)
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - datetime.timedelta(minutes=1))
    assert with_token(token).get(reverse("api-report-list")).status_code == 401


def test_an_expired_token_is_deleted_when_used_and_the_others_when_a_token_is_issued(observer):
    used, used_token = services.api_token_issue(user=observer.user)
    other, _other_token = services.api_token_issue(user=observer.user)
    live, live_token = services.api_token_issue(user=observer.user)
    past = timezone.now() - datetime.timedelta(minutes=1)
    AuthToken.objects.filter(pk__in=[used.pk, other.pk]).update(expiry=past)
    assert with_token(used_token).get(reverse("api-report-list")).status_code == 401
    assert with_token(live_token).get(reverse("api-report-list")).status_code == 200
    assert set(AuthToken.objects.filter(user=observer.user).values_list("pk", flat=True)) == {other.pk, live.pk}
    services.api_token_issue(user=observer.user)
    assert not AuthToken.objects.filter(pk=other.pk).exists()  # expired: gone once a token is issued
    assert AuthToken.objects.filter(pk=live.pk).exists()


def test_an_inactive_user_token_does_not_work(observer):
    _row, token = services.api_token_issue(user=observer.user)
    observer.user.is_active = False
    observer.user.save()
    assert with_token(token).get(reverse("api-report-list")).status_code == 401


def test_coordinator_issues_and_revokes_in_the_admin(client, coordinator, observer, force_login_verified):
    force_login_verified(coordinator)
    expiry = timezone.now() + datetime.timedelta(days=30)
    response = client.post(
        reverse("admin:knox_authtoken_add"),
        {"user": observer.user.pk, "expiry_0": expiry.strftime("%Y-%m-%d"), "expiry_1": "12:00:00"},
        follow=True,
    )
    assert response.status_code == 200
    message = next(iter(response.context["messages"])).message
    token = message.split(": ", 1)[1].split(" ", 1)[0]
    assert with_token(token).get(reverse("api-report-list")).status_code == 200
    row = AuthToken.objects.get(user=observer.user)
    listing = client.get(reverse("admin:knox_authtoken_changelist")).content.decode()
    assert token not in listing
    client.post(reverse("admin:knox_authtoken_delete", args=[row.pk]), {"post": "yes"})
    assert with_token(token).get(reverse("api-report-list")).status_code == 401


def test_moderators_cannot_issue_tokens(client, moderator, force_login_verified):
    force_login_verified(moderator)
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403


def test_a_token_is_looked_up_with_its_account_and_observer_profile_in_one_query(observer, election, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory

    from incidents.api.authentication import TokenAuthentication

    settings.DEBUG = False
    _row, token = services.api_token_issue(user=observer.user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as captured:
        user, auth_token = TokenAuthentication().authenticate(request)
        assert user.observer_profile == observer  # the demo check and the views read it: no query
    assert len(captured) == 1 and user == observer.user and auth_token.user_id == observer.user.pk


def test_an_account_without_observer_profile_and_a_wrong_token(election):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework import exceptions
    from rest_framework.test import APIRequestFactory

    from incidents import permissions
    from incidents.api.authentication import TokenAuthentication

    user = factories.UserFactory()
    _row, token = services.api_token_issue(user=user)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as captured:
        found, _auth = TokenAuthentication().authenticate(request)
        assert permissions.observer_of(found) is None  # known absent from the join: no query
    assert len(captured) == 1
    wrong = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token[:-4]}ffff")
    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid token"):
        TokenAuthentication().authenticate(wrong)
    not_hex = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token[:-4]}zzzz")
    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid token"):
        TokenAuthentication().authenticate(not_hex)
