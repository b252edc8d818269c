"""Nothing private and nothing unpublished reaches a public surface.

The fully filled incident (every private field set to a recognizable value,
then published through the services) is looked for on every public page,
export, feed and map data; incidents in every other status, each with a
public summary written, must not appear at all; a retracted one shows only
its notice, on its own page.
"""

import gzip
import json

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Status

from . import factories
from .conftest import publish

pytestmark = pytest.mark.django_db

UNPUBLISHED = {
    Status.SUBMITTED: [],
    Status.IN_REVIEW: [Status.IN_REVIEW],
    Status.NEEDS_INFO: [Status.IN_REVIEW, Status.NEEDS_INFO],
    Status.VERIFIED: [Status.IN_REVIEW, Status.VERIFIED],
    Status.REJECTED: [Status.IN_REVIEW, Status.REJECTED],
}


@pytest.fixture
def hidden(submit, moderator):
    """One incident in each status the public must never see, each with a summary written."""
    incidents = {}
    for status, path in UNPUBLISHED.items():
        incident = submit(description=f"private account {status}")
        incident = services.incident_edit(
            incident=incident, actor=moderator, changes={"public_summary": f"UNPUBLISHED-SUMMARY-{status}"}
        )
        for to_status in path:
            incident = services.incident_transition(
                incident=incident,
                to_status=to_status,
                actor=moderator,
                comment="A reason.",
                verification="confirmed",
            )
        assert incident.status == status
        incidents[status] = incident
    retracted = publish(submit(), moderator, summary="RETRACTED-SUMMARY said this.")
    retracted = services.incident_transition(
        incident=retracted, to_status=Status.RETRACTED, actor=moderator, comment="RETRACTION-NOTICE: withdrawn."
    )
    incidents[Status.RETRACTED] = retracted
    return incidents


def content(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


#: (Accept-Language, Accept-Encoding) of each ask of a public surface: every language as browsers
#: ask (a cached page then comes gzipped), and once as a client that takes no compression
ASKED = (("en", "gzip, deflate, br"), ("ru", "gzip"), ("kk", "gzip"), ("en", "identity"))


def public_surfaces(incident):
    region = incident.region
    filtered = {"region": region.code, "kind": incident.kind}
    return [
        (reverse("home"), {}),
        (reverse("home"), {"sort": "-incidents"}),
        (reverse("incident-list"), {}),
        (reverse("incident-list"), filtered),
        (reverse("incident-list"), {"q": incident.reference}),
        (incident.get_absolute_url(), {}),
        (reverse("region-list"), {}),
        (region.get_absolute_url(), {}),
        (reverse("region-map-data"), {}),
        (reverse("region-map-data"), filtered),
        (reverse("incident-export-csv"), {}),
        (reverse("incident-export-csv"), filtered),
        (reverse("incident-export-geojson"), {}),
        (reverse("incident-export-geojson"), filtered),
        (reverse("incident-feed"), {}),
        (reverse("incident-feed"), filtered),
    ]


def test_no_private_value_on_any_public_surface(client, fully_filled_incident, hidden):
    incident = fully_filled_incident.incident
    private_attachment = incident.attachments.get()
    for url, query in public_surfaces(incident):
        for language, encoding in ASKED:
            response = client.get(url, query, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT_ENCODING=encoding)
            assert response.status_code == 200, (url, query)
            text = content(response)
            fully_filled_incident.assert_absent_from(text)
            assert reverse("attachment-file", args=[private_attachment.pk]) not in text, url
            for status, other in hidden.items():
                assert other.reference not in text, (url, query, status)
            assert "UNPUBLISHED-SUMMARY" not in text and "RETRACTED-SUMMARY" not in text, url
            assert "private account" not in text


def test_the_published_incident_is_on_every_listing_surface(client, fully_filled_incident, hidden):
    incident = fully_filled_incident.incident
    summary = "Police detained three protesters near a polling station."
    for url, query in public_surfaces(incident):
        text = content(client.get(url, query))
        if "map.geojson" in url:
            assert json.loads(text)["features"][0]["properties"]["incidents"] == 1
        elif "regions/" in url and url != incident.region.get_absolute_url():
            assert f'region={incident.region.code}">1</a>' in text
        else:
            assert summary in text or incident.reference in text, (url, query)


def test_sensitive_point_is_published_only_coarsened(client, fully_filled_incident):
    data = json.loads(content(client.get(reverse("incident-export-geojson"))))
    assert data["features"][0]["geometry"]["coordinates"] == [76.9, 43.2]
    assert data["features"][0]["properties"]["location_precision"] == "coarsened"
    page = content(client.get(fully_filled_incident.incident.get_absolute_url()))
    assert 'data-point-lat="43.2"' in page and 'data-point-lon="76.9"' in page


def test_hidden_incidents_have_no_page(client, hidden):
    for status, incident in hidden.items():
        response = client.get(incident.get_absolute_url())
        text = content(response)
        if status == Status.RETRACTED:
            assert response.status_code == 200
            assert "RETRACTION-NOTICE: withdrawn." in text and "RETRACTED-SUMMARY" not in text
            assert incident.get_kind_display() not in text.split("<main", 1)[1].split("</main>")[0]
        else:
            assert response.status_code == 404
            assert "UNPUBLISHED-SUMMARY" not in text


def test_public_attachment_is_linked_without_its_name_or_hash(client, fully_filled_incident):
    incident = fully_filled_incident.incident
    shown = factories.AttachmentFactory(incident=incident, is_public=True, original_name="PRIVATE-PUBLIC-NAME.pdf")
    text = content(client.get(incident.get_absolute_url()))
    assert reverse("attachment-file", args=[shown.pk]) in text
    assert "PRIVATE-PUBLIC-NAME" not in text and shown.sha256 not in text and shown.file.name not in text
    fully_filled_incident.assert_absent_from(text)


def test_an_sms_report_is_public_only_as_its_summary(client, published_sms_incident):
    """The sender's number, the message's text and its gateway id are on no public surface, the card included."""
    incident, private_values = published_sms_incident
    for url, query in [*public_surfaces(incident), (reverse("sms-card"), {})]:
        for language, encoding in ASKED:
            response = client.get(url, query, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT_ENCODING=encoding)
            assert response.status_code == 200, (url, query)
            text = content(response)
            leaked = [value for value in private_values if value in text]
            assert leaked == [], (url, query, leaked)
    assert "Police detained four people at a protest." in content(client.get(incident.get_absolute_url()))
