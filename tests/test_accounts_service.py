import pytest
from django.core import mail

from incidents import services

from . import factories

pytestmark = pytest.mark.django_db


def test_invitation_mails_a_one_time_link_and_no_password(client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="new.observer@example.org")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        link = services.observer_invite(user=user)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.observer@example.org"]
    assert link in mail.outbox[0].body
    assert "correct horse battery staple" not in mail.outbox[0].body

    path = link.removeprefix("http://127.0.0.1:8000")
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "a long new pass phrase 42", "new_password2": "a long new pass phrase 42"})
    user.refresh_from_db()
    assert user.check_password("a long new pass phrase 42")
    # Used once: the same link no longer works.
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False


def test_no_mail_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="x@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.observer_invite(user=user)
    assert len(callbacks) == 1 and not mail.outbox
