"""Nothing private reaches a public endpoint: the fully filled incident is looked for in every
public answer (JSON, CSV, GeoJSON), in every language; unpublished incidents are not there at all."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.api import public_serializers
from incidents.models import Status

from ..test_public_privacy import hidden  # noqa: F401 - the fixture of unpublished incidents
from .conftest import body

pytestmark = pytest.mark.django_db


def public_endpoints(incident):
    region = incident.region
    filtered = {"region": region.code, "kind": incident.kind}
    return [
        (reverse("api-election-list"), {}),
        (reverse("api-election-detail", args=[incident.election.slug]), {}),
        (reverse("api-region-list"), {}),
        (reverse("api-region-detail", args=[region.code]), {}),
        (reverse("api-polling-station-list"), {}),
        (reverse("api-party-list"), {}),
        (reverse("api-incident-list"), {}),
        (reverse("api-incident-list"), filtered),
        (reverse("api-incident-list"), {"q": incident.reference}),
        (reverse("api-incident-detail", args=[incident.reference]), {}),
        (reverse("api-incident-csv"), {}),
        (reverse("api-incident-csv"), filtered),
        (reverse("api-incident-geojson"), {}),
        (reverse("api-incident-geojson"), filtered),
    ]


def test_no_private_value_on_any_public_endpoint(api, fully_filled_incident, hidden):  # noqa: F811
    incident = fully_filled_incident.incident
    private_attachment = incident.attachments.get()
    for url, query in public_endpoints(incident):
        for language in ("en", "ru", "kk"):
            response = api.get(url, query, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, query, response.content[:300])
            text = body(response)
            fully_filled_incident.assert_absent_from(text)
            assert reverse("attachment-file", args=[private_attachment.pk]) not in text, url
            for status, other in hidden.items():
                assert other.reference not in text, (url, query, status)
            assert "UNPUBLISHED-SUMMARY" not in text and "RETRACTED-SUMMARY" not in text, url
            assert "private account" not in text


def test_the_published_incident_is_on_every_incident_endpoint(api, fully_filled_incident):
    incident = fully_filled_incident.incident
    for url, query in public_endpoints(incident):
        if "incident" in url:
            assert incident.reference in body(api.get(url, query)), url


def test_sensitive_point_is_published_only_coarsened(api, fully_filled_incident):
    data = api.get(reverse("api-incident-detail", args=[fully_filled_incident.incident.reference])).json()
    assert (data["latitude"], data["longitude"], data["location_precision"]) == (43.2, 76.9, "coarsened")
    assert "detained_names" not in data["details"]


def test_a_public_attachment_is_listed_only_once_made_public(api, fully_filled_incident, moderator):
    incident = fully_filled_incident.incident
    attachment = incident.attachments.get()
    services.attachment_set_public(attachment=attachment, is_public=True, actor=moderator)
    data = api.get(reverse("api-incident-detail", args=[incident.reference])).json()
    assert data["attachments"] == [
        {
            "url": "http://testserver" + reverse("attachment-file", args=[attachment.pk]),
            "kind": "document",
            "content_type": "application/pdf",
            "size": attachment.size,
        }
    ]
    fully_filled_incident.assert_absent_from(str(data))


def test_public_serializers_refuse_a_model_instance(fully_filled_incident):
    """They render public shapes only: handing them an Incident is an error, not a leak."""
    with pytest.raises(TypeError):
        _ = public_serializers.PublicIncidentSerializer(fully_filled_incident.incident).data


def test_public_detail_serializers_declare_only_public_fields():
    from incidents.public import shape as public

    for kind, serializer_class in public_serializers.PUBLIC_DETAIL_SERIALIZERS.items():
        assert tuple(serializer_class().fields) == public.PUBLIC_DETAIL_FIELDS[kind]
    assert Status.PUBLISHED  # the shapes come only from published incidents (public.from_incident checks it)


def test_an_sms_report_is_public_only_as_its_summary(api, published_sms_incident):
    incident, private_values = published_sms_incident
    for url, query in public_endpoints(incident):
        for language in ("en", "ru", "kk"):
            response = api.get(url, query, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, query)
            text = body(response)
            leaked = [value for value in private_values if value in text]
            assert leaked == [], (url, query, leaked)
    assert incident.reference in body(api.get(reverse("api-incident-detail", args=[incident.reference])))
