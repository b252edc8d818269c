"""Every admin page a coordinator uses answers, and costs a fixed number of queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import models

from . import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    models.Election: factories.ElectionFactory,
    models.Region: factories.RegionFactory,
    models.PollingStation: factories.PollingStationFactory,
    models.Party: factories.PartyFactory,
    models.OfficialResult: factories.OfficialResultFactory,
    models.PartyResult: factories.PartyResultFactory,
    models.Organization: factories.OrganizationFactory,
    models.Observer: factories.ObserverFactory,
    models.Incident: factories.IncidentFactory,
    models.Attachment: factories.AttachmentFactory,
    models.IncidentEvent: factories.IncidentEventFactory,
    models.OoniMeasurement: factories.OoniMeasurementFactory,
    models.SmsMessage: factories.SmsMessageFactory,
    models.ModeratorScope: factories.ModeratorScopeFactory,
    models.ProtocolLine: factories.ProtocolLineFactory,
    models.ProtocolCopy: factories.ProtocolCopyFactory,
    models.PvtSample: factories.PvtSampleFactory,
}
#: rows that enter only through a service (or an import), never by hand in the admin
SERVICE_ONLY = {
    models.Incident,
    models.IncidentEvent,
    models.Attachment,
    models.OoniMeasurement,
    models.SmsMessage,
    models.ProtocolCopy,
    models.PvtSample,
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def coordinator_client(force_login_verified, coordinator):
    return force_login_verified(coordinator)


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow(coordinator_client, model):
    factory = FACTORIES[model]
    factory.create_batch(2)
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    factory.create_batch(25)
    with CaptureQueriesContext(connection) as many:
        response = coordinator_client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_add_and_change_pages(coordinator_client, model):
    obj = FACTORIES[model]()
    assert coordinator_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    expected = 403 if model in SERVICE_ONLY else 200
    assert coordinator_client.get(admin_url(model, "add")).status_code == expected


def test_every_registered_model_is_covered():
    ours = {model for model in admin.site._registry if model._meta.app_label == "incidents"}
    assert ours == set(FACTORIES)


def test_constraint_violation_is_a_form_error(coordinator_client):
    station = factories.PollingStationFactory(number="101")
    response = coordinator_client.post(
        admin_url(models.PollingStation, "add"),
        {"election": station.election.pk, "region": station.region.pk, "number": "101", "name": "Twin"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert models.PollingStation.objects.count() == 1


def test_ballots_above_registered_is_a_form_error(coordinator_client):
    election = factories.ElectionFactory()
    response = coordinator_client.post(
        admin_url(models.OfficialResult, "add"),
        {
            "election": election.pk,
            "stage": "final",
            "registered_voters": 100,
            "ballots_cast": 150,
            "source": "Commission",
            "party_results-TOTAL_FORMS": 0,
            "party_results-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Constraint" in response.content.decode() or "errornote" in response.content.decode()
    assert not models.OfficialResult.objects.exists()


def test_events_cannot_be_changed_or_deleted_in_admin(force_login_verified, coordinator_client, client):
    event = factories.IncidentEventFactory()
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    force_login_verified(superuser)
    assert client.post(admin_url(models.IncidentEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    client.post(admin_url(models.IncidentEvent, "change", event.pk), {"comment": "rewritten"})
    assert models.IncidentEvent.objects.get(pk=event.pk).comment == "A note."


def test_moderator_edit_in_admin_is_recorded(force_login_verified, client, submit, moderator):
    incident = submit()
    force_login_verified(moderator)
    response = client.get(admin_url(models.Incident, "change", incident.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "location_text": "Corrected by a moderator.",
            "occurred_at_0": "2021-01-10",
            "occurred_at_1": "16:30:00",
            "events-TOTAL_FORMS": 1,
            "events-INITIAL_FORMS": 1,
        }
    )
    data.pop("occurred_at", None)
    response = client.post(admin_url(models.Incident, "change", incident.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.location_text == "Corrected by a moderator."
    assert incident.events.latest("id").action == "edited"
