"""Clients for the API tests: anonymous, and authenticated by a token issued through the real service."""

import pytest
from rest_framework.test import APIClient

from incidents import services

from .. import factories


@pytest.fixture
def api():
    return APIClient()


def token_client(user):
    _row, token = services.api_token_issue(user=user, actor=user)
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
