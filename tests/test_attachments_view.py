"""Attachments are served only to those who may see them."""

import pytest
from django.urls import reverse

from incidents.models import Status

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment():
    return factories.AttachmentFactory(is_public=False)


def url(attachment):
    return reverse("attachment-file", args=[attachment.pk])


def test_reporter_and_staff_can_fetch(force_login_verified, client, attachment, moderator):
    client.force_login(attachment.incident.reporter.user)
    response = client.get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    force_login_verified(moderator)
    assert client.get(url(attachment)).status_code == 200


def test_public_and_other_observers_get_404(client, attachment):
    assert client.get(url(attachment)).status_code == 404
    client.force_login(factories.ObserverFactory().user)
    assert client.get(url(attachment)).status_code == 404


def test_public_file_of_published_incident_is_served(client):
    incident = factories.IncidentFactory(published=True)
    attachment = factories.AttachmentFactory(incident=incident, is_public=True)
    response = client.get(url(attachment))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" not in response.get("Cache-Control", "")


def test_public_file_of_unpublished_incident_is_hidden(client):
    attachment = factories.AttachmentFactory(is_public=True, incident__status=Status.VERIFIED)
    assert client.get(url(attachment)).status_code == 404


def test_unknown_type_is_downloaded_never_rendered(client, attachment):
    client.force_login(attachment.incident.reporter.user)
    attachment.content_type = "text/html"
    attachment.save()
    response = client.get(url(attachment))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
