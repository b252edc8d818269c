"""Two moderators act on one incident at the same moment, on two database connections.

The first holds the row lock inside its transaction until the second is seen
waiting for it in PostgreSQL; only then does the first commit. So the two
really overlap, without relying on timing: exactly one move happens, the
other is refused with a plain message, and the history has one event for it.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from incidents import services
from incidents.models import Incident, IncidentEvent, Status, Verification

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: how long the first moderator waits for the second to queue behind its lock, at most
WAIT_FOR_CONTENTION = 20


def waiting_for_a_lock():
    with connection.cursor() as cursor:
        # Statistics are a snapshot per transaction unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def race(first, second):
    """Run ``first`` and then, while it still holds its transaction open,
    ``second`` on another connection; return what each returned or raised."""
    outcome = {}
    first_holds_lock = threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                outcome["first"] = first()
                first_holds_lock.set()
                deadline = time.monotonic() + WAIT_FOR_CONTENTION
                while not waiting_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.01)
                outcome["contended"] = bool(waiting_for_a_lock())
        except Exception as error:
            outcome["first"] = error
        finally:
            first_holds_lock.set()
            connections.close_all()

    def run_second():
        try:
            first_holds_lock.wait()
            outcome["second"] = second()
        except Exception as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["contended"], f"the second moderator never waited for the first: {outcome}"
    return outcome["first"], outcome["second"]


@pytest.fixture
def report(on_postgres, submit):
    return submit()


def test_two_moderators_claim_at_once_with_the_page_they_saw(report):
    seen = report.version
    one, two = factories.ModeratorFactory(), factories.ModeratorFactory()

    def claim_as(user):
        return lambda: services.incident_advance(
            incident=report, to_status=Status.IN_REVIEW, actor=user, expected_version=seen
        )

    first, second = race(claim_as(one), claim_as(two))
    assert isinstance(first, Incident) and first.assignee == one
    assert isinstance(second, services.IncidentChanged)
    assert "changed by someone else" in second.message and report.reference in second.message
    report.refresh_from_db()
    assert (report.status, report.assignee, report.version) == (Status.IN_REVIEW, one, seen + 1)
    assert list(report.events.order_by("id").values_list("action", "actor")) == [
        ("submitted", report.reporter.user.pk),
        ("claimed", one.pk),
    ]


def test_two_moderators_claim_at_once_without_a_version(report):
    one, two = factories.ModeratorFactory(), factories.ModeratorFactory()

    def claim_as(user):
        return lambda: services.incident_transition(incident=report, to_status=Status.IN_REVIEW, actor=user)

    first, second = race(claim_as(one), claim_as(two))
    assert isinstance(first, Incident)
    assert isinstance(second, services.TransitionNotAllowed)
    assert second.message == f"Incident {report.reference} is already claimed by {first.assignee.username}."
    assert IncidentEvent.objects.filter(incident=report, action="claimed").count() == 1


def test_verify_and_reject_at_once(report, moderator):
    claimed = services.incident_transition(incident=report, to_status=Status.IN_REVIEW, actor=moderator)
    coordinator = factories.CoordinatorFactory()

    first, second = race(
        lambda: services.incident_transition(
            incident=claimed, to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
        ),
        lambda: services.incident_transition(
            incident=claimed, to_status=Status.REJECTED, actor=coordinator, comment="Not credible."
        ),
    )
    assert isinstance(first, Incident) and first.status == Status.VERIFIED
    assert isinstance(second, services.TransitionNotAllowed)
    report.refresh_from_db()
    assert report.status == Status.VERIFIED
    assert list(report.events.order_by("id").values_list("action", flat=True)) == ["submitted", "claimed", "verified"]


def test_marking_each_other_duplicate_at_once(on_postgres, submit, moderator):
    """Two reports marked as duplicates of each other at the same moment: one link, no deadlock."""
    a, b = submit(), submit(reporter=factories.ObserverFactory())
    other = factories.ModeratorFactory()
    first, second = race(
        lambda: services.incident_mark_duplicate(incident=a, primary=b, actor=moderator),
        lambda: services.incident_mark_duplicate(incident=b, primary=a, actor=other),
    )
    assert isinstance(first, Incident)
    assert isinstance(second, ValidationError)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.duplicate_of, b.duplicate_of) == (b, None)
    assert (a.status, b.status) == (Status.REJECTED, Status.SUBMITTED)
