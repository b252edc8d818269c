"""Tests that state the rules themselves instead of reading the table they test."""

import pytest
from django.db.models.query import QuerySet
from django.urls import reverse

from incidents import services, workflow
from incidents.models import Incident, Status

from .. import factories
from ..conftest import publish

pytestmark = pytest.mark.django_db

#: DESIGN.md's workflow, written out by hand: (from, to, action, who, reason required, claim required).
#: claim → in review; release back to the queue; verify, ask, reject from review; the observer answers;
#: a report that waits for an answer may be rejected; publish; retract with a public notice.
#: The riskiest reports (a detention naming detained people, a report marked sensitive) are approved
#: by a second moderator before they are published (issue 18; the guards are tested in
#: tests/test_moderation_scale.py).
WORKFLOW = {
    ("submitted", "in_review", "claimed", "moderator", False, False),
    ("in_review", "submitted", "released", "moderator", False, True),
    ("in_review", "verified", "verified", "moderator", False, True),
    ("in_review", "needs_info", "asked", "moderator", True, True),
    ("in_review", "rejected", "rejected", "moderator", True, True),
    ("needs_info", "submitted", "answered", "reporter", True, False),
    ("needs_info", "rejected", "rejected", "moderator", True, True),
    ("verified", "published", "published", "moderator", False, False),
    ("verified", "approved", "approved", "moderator", False, False),
    ("approved", "published", "published", "moderator", False, False),
    ("published", "retracted", "retracted", "moderator", True, False),
}
#: a claim ends without its holder: by itself once it expires, or broken by a coordinator with a reason
CLAIM_ENDINGS = {
    ("in_review", "submitted", "claim_expired", "system", False),
    ("in_review", "submitted", "claim_broken", "coordinator", True),
}


def test_the_workflow_table_is_the_one_drawn():
    table = {
        (str(source), str(to), str(move.action), str(move.role), move.reason_required, move.claim_required)
        for (source, to), move in workflow.TRANSITIONS.items()
    }
    assert table == WORKFLOW


def test_the_ways_a_claim_ends_without_its_holder_are_the_ones_drawn():
    endings = {
        (str(source), str(to), str(action), str(move.role), move.reason_required)
        for action, (source, to, move) in workflow.CLAIM_ENDINGS.items()
    }
    assert endings == CLAIM_ENDINGS


def test_a_private_file_of_a_published_incident_is_refused(client, submit, moderator):
    incident = publish(submit(), moderator)
    private = factories.AttachmentFactory(incident=incident, is_public=False, content=b"%PDF-1.4 private")
    public = factories.AttachmentFactory(incident=incident, is_public=True, content=b"%PDF-1.4 public")
    assert client.get(reverse("attachment-file", args=[private.pk])).status_code == 404
    assert client.get(reverse("attachment-file", args=[public.pk])).status_code == 200
    observer = factories.ObserverFactory()
    client.force_login(observer.user)  # another observer: not theirs either
    assert client.get(reverse("attachment-file", args=[private.pk])).status_code == 404


def test_every_move_locks_the_row_on_both_databases(submit, moderator, monkeypatch):
    """SQLite has no row locks (Django leaves FOR UPDATE out there), so this asks for the lock itself:
    the service must read the incident with select_for_update before it writes, on any database.
    The PostgreSQL suite also races two moderators for real (tests/test_concurrency.py)."""
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        if self.model is Incident:
            locked.append(True)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    incident = submit()
    services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    assert locked
    locked.clear()
    services.incident_edit(incident=incident, actor=moderator, changes={"public_summary": "x"})
    assert locked
