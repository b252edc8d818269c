"""A database that fails in the middle of a new report: nothing half written, and the retry files it once.

The failure is injected where the database would raise it: the SQL that
writes one table (the report's history, or its files) fails with the error
a dropped connection gives, after the report and its details were already
written in the same transaction. `make faults` does the same to a real
server by restarting PostgreSQL under load (docs/benchmarks.md).
"""

import contextlib
import datetime

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from incidents import services
from incidents.models import Attachment, DeniedAccess, Detention, Incident, IncidentEvent, InternetBlockage

from . import samples
from .api.conftest import token_client
from .test_report_views import DETAILS, IncidentKind, fresh_form, post_report

pytestmark = pytest.mark.django_db

DROPPED = "server closed the connection unexpectedly"


@contextlib.contextmanager
def database_fails_on(table, times=1):
    """The next ``times`` statements that write ``table`` raise OperationalError; yields the count raised."""
    raised = []

    def wrapper(execute, sql, params, many, context):
        if len(raised) < times and f'INSERT INTO "{table}"' in sql:
            raised.append(sql)
            raise OperationalError(DROPPED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield raised


def nothing_written(media_root):
    stored = [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []
    return (
        not Incident.objects.exists()
        and not IncidentEvent.objects.exists()
        and not Attachment.objects.exists()
        and not Detention.objects.exists()
        and not DeniedAccess.objects.exists()
        and not InternetBlockage.objects.exists()
        and stored == []
    )


def one_report_with_its_history():
    incident = Incident.objects.get()
    assert [event.action for event in incident.events.all()][:1] == ["submitted"]
    return incident


# The service


@pytest.mark.parametrize("table", ["incidents_incidentevent", "incidents_attachment"])
def test_service_failure_mid_submission_writes_nothing_and_the_retry_files_once(
    observer, election, region, private_media_root, table
):
    submission = {
        "reporter": observer,
        "election": election,
        "region": region,
        "kind": IncidentKind.DETENTION,
        "description": "Three people taken into a van.",
        "occurred_at": datetime.datetime(2021, 1, 10, 10, 30, tzinfo=datetime.UTC),
        "occurred_precision": "exact",
        "details": {"people_detained": 3, "detained_names": "A private name"},
        "client_token": "retry-after-a-database-error",
    }
    with database_fails_on(table) as raised, pytest.raises(OperationalError):
        services.incident_submit_with_attachments(attachments=[samples.jpeg_with_gps()], **submission)
    assert raised, "the fault was not injected"
    assert nothing_written(private_media_root)

    retry = services.incident_submit_with_attachments(attachments=[samples.jpeg_with_gps()], **submission)
    again = services.incident_submit_with_attachments(attachments=[samples.jpeg_with_gps()], **submission)
    assert retry.created and not again.created
    incident = one_report_with_its_history()
    assert incident.detention.people_detained == 3
    assert Attachment.objects.count() == 1
    assert len([path for path in private_media_root.rglob("*") if path.is_file()]) == 1


# The API


def test_api_answers_503_with_a_reason_and_the_retry_with_its_key_files_once(
    observer, election, region, private_media_root
):
    client = token_client(observer.user)
    payload = {
        "kind": "detention",
        "region": region.code,
        "occurred_at": "2021-01-10T09:00:00Z",
        "description": "Three people taken into a van.",
        "details": {"people_detained": 3},
    }

    def send():
        return client.post(reverse("api-report-list"), payload, format="json", HTTP_IDEMPOTENCY_KEY="key-1")

    with database_fails_on("incidents_incidentevent") as raised:
        failed = send()
    assert raised
    assert failed.status_code == 503
    assert failed["Retry-After"] == "5"
    error = failed.json()["error"]
    assert error["code"] == "unavailable" and "same Idempotency-Key" in error["message"]
    assert nothing_written(private_media_root)

    retried, replayed = send(), send()
    assert (retried.status_code, replayed.status_code) == (201, 200)
    assert retried.json()["reference"] == replayed.json()["reference"] == one_report_with_its_history().reference


# The web form


@pytest.fixture
def observer_client(client, observer, election):
    client.force_login(observer.user)
    return client


def test_form_is_shown_again_with_what_was_typed_and_sending_again_files_once(
    observer_client, region, private_media_root
):
    token = fresh_form(observer_client, IncidentKind.DETENTION)
    with database_fails_on("incidents_incidentevent") as raised:
        failed = post_report(observer_client, region=region, token=token)
    assert raised
    assert failed.status_code == 503
    form = failed.context["form"]
    assert "may not have been saved" in " ".join(form.non_field_errors())
    assert form["form_token"].value() == token
    assert form["description"].value() == "Police took three people into a van."
    assert (
        failed.context["detail_form"]["detained_names"].value()
        == DETAILS[IncidentKind.DETENTION]["detail-detained_names"]
    )
    assert nothing_written(private_media_root)

    sent = post_report(observer_client, region=region, token=token)
    again = post_report(observer_client, region=region, token=token)
    incident = one_report_with_its_history()
    assert sent.status_code == again.status_code == 302
    assert sent.url == again.url == reverse("report-filed", args=[incident.reference])


def test_a_page_that_cannot_reach_the_database_says_try_again_not_server_error(observer_client, election):
    def wrapper(execute, sql, params, many, context):
        raise OperationalError(DROPPED)

    with connection.execute_wrapper(wrapper):
        response = observer_client.get(reverse("report-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again in a moment" in response.content.decode().lower()
    assert DROPPED not in response.content.decode()
