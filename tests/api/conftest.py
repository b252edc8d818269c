"""Clients for the API tests: anonymous, and authenticated by a token issued through the real service."""

import pytest
from rest_framework.test import APIClient

from incidents import services

from .. import factories


@pytest.fixture
def api():
    return APIClient()


def verified(user):
    """``user`` as django-otp's middleware leaves a request's user after a code was entered."""
    user.is_verified = lambda: True
    return user


def token_client(user):
    """A client with a token for ``user``: their own for an observer; for a staff account, one a
    superuser issued under a verified session (the only kind that carries staff powers)."""
    actor = user
    if user.is_staff or user.is_superuser:
        actor = verified(factories.UserFactory(username="token-issuer", is_staff=True, is_superuser=True))
    _row, token = services.api_token_issue(user=user, actor=actor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def observer_api(observer):
    return token_client(observer.user)


@pytest.fixture
def other_observer(db):
    return factories.ObserverFactory()


@pytest.fixture
def other_observer_api(other_observer):
    return token_client(other_observer.user)


@pytest.fixture
def moderator_api(moderator):
    return token_client(moderator)


@pytest.fixture
def coordinator_api(coordinator):
    return token_client(coordinator)


def body(response):
    """The response's content as text (streamed or not)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()
