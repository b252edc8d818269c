"""Accounts in the admin: a coordinator adds an observer by invitation, and cannot climb."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from incidents.models import Observer, ObserverKind

from . import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def coordinator_client(force_login_verified, coordinator):
    return force_login_verified(coordinator)


def add_observer_data(**overrides):
    organization = factories.OrganizationFactory()
    data = {
        "username": "new.observer",
        "first_name": "Dana",
        "last_name": "Observer",
        "email": "dana@example.org",
        "observer_profile-TOTAL_FORMS": "1",
        "observer_profile-INITIAL_FORMS": "0",
        "observer_profile-MIN_NUM_FORMS": "0",
        "observer_profile-MAX_NUM_FORMS": "1",
        "observer_profile-0-organization": organization.pk,
        "observer_profile-0-kind": ObserverKind.INDEPENDENT,
        "observer_profile-0-accreditation_number": "ACC-1",
        "observer_profile-0-phone": "",
    }
    data.update(overrides)
    return data


def test_coordinator_adds_an_observer_who_gets_an_invitation_and_no_password(
    coordinator_client, client, django_capture_on_commit_callbacks, polling_station
):
    data = add_observer_data(**{"observer_profile-0-assigned_stations": [polling_station.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new.observer")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Observer"]
    observer = Observer.objects.get(user=user)
    assert list(observer.assigned_stations.all()) == [polling_station]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.org"]
    body = mail.outbox[0].body
    assert "/accounts/reset/" in body and "password:" not in body.lower().replace("choose your password:", "")

    # The observer follows the link, chooses a password, logs in and reaches their reports.
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line).strip()
    form_page = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new pass phrase 42", "new_password2": "a long new pass phrase 42"},
    )
    login = client.post(reverse("login"), {"username": "new.observer", "password": "a long new pass phrase 42"})
    assert login.status_code == 302
    assert client.get(reverse("report-list")).status_code == 200


def test_account_without_email_shows_the_link_to_pass_on(coordinator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("admin:auth_user_add"), add_observer_data(email=""), follow=True)
    assert not mail.outbox
    assert "/accounts/reset/" in response.content.decode()


def test_the_add_form_has_no_password_fields(coordinator_client):
    html = coordinator_client.get(reverse("admin:auth_user_add")).content.decode()
    assert 'name="password1"' not in html and 'name="username"' in html and "observer_profile-0-kind" in html


def test_making_an_observer_profile_for_an_existing_user_enrols_them(
    coordinator_client, django_capture_on_commit_callbacks
):
    user = User.objects.create(username="later.observer", email="later@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("admin:incidents_observer_add"), {"user": user.pk, "kind": ObserverKind.JOURNALIST}
        )
    assert response.status_code == 302
    assert user.groups.filter(name="Observer").exists() and len(mail.outbox) == 1


def test_coordinator_cannot_make_anyone_superuser(coordinator_client, coordinator):
    observer = factories.ObserverFactory()
    url = reverse("admin:auth_user_change", args=[observer.user.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()
    for target in (observer.user, coordinator):
        response = coordinator_client.post(
            reverse("admin:auth_user_change", args=[target.pk]),
            {
                "username": target.username,
                "email": target.email,
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "groups": list(target.groups.values_list("pk", flat=True)),
                "observer_profile-TOTAL_FORMS": "0",
                "observer_profile-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        target.refresh_from_db()
        assert not target.is_superuser


def test_coordinator_cannot_give_a_group_beyond_their_own(coordinator_client, coordinator):
    mighty = Group.objects.create(name="Mighty")
    mighty.permissions.add(Permission.objects.get(codename="delete_user"))
    observer = factories.ObserverFactory()
    response = coordinator_client.post(
        reverse("admin:auth_user_change", args=[observer.user.pk]),
        {
            "username": observer.user.username,
            "is_active": "on",
            "groups": [mighty.pk],
            "observer_profile-TOTAL_FORMS": "0",
            "observer_profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "groups" in response.context["adminform"].form.errors
    assert not observer.user.groups.filter(name="Mighty").exists()
    # Nor to themselves.
    response = coordinator_client.post(
        reverse("admin:auth_user_change", args=[coordinator.pk]),
        {"username": coordinator.username, "is_active": "on", "is_staff": "on", "groups": [mighty.pk]},
    )
    assert not coordinator.groups.filter(name="Mighty").exists()
    # Their own groups and lesser ones they may give.
    form = coordinator_client.get(reverse("admin:auth_user_change", args=[observer.user.pk])).context["adminform"].form
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {
        "Observer",
        "Moderator",
        "Coordinator",
    }


def test_coordinator_cannot_see_or_touch_superusers_or_mightier_accounts(coordinator_client):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    mighty_user = factories.UserFactory(is_staff=True)
    mighty_user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    changelist = coordinator_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert superuser.username not in changelist and mighty_user.username not in changelist
    for user in (superuser, mighty_user):
        url = reverse("admin:auth_user_change", args=[user.pk])
        assert coordinator_client.get(url).status_code == 302  # "does not exist" and back to the list
        coordinator_client.post(url, {"username": user.username, "email": "attacker@example.org"})
        user.refresh_from_db()
        assert user.email != "attacker@example.org"


def test_coordinator_cannot_set_anyones_password(coordinator_client):
    observer = factories.ObserverFactory()
    url = reverse("admin:auth_user_password_change", args=[observer.user.pk])
    assert coordinator_client.get(url).status_code == 403
    response = coordinator_client.post(
        url, {"password1": "chosen by coordinator 9", "password2": "chosen by coordinator 9"}
    )
    assert response.status_code == 403
    observer.user.refresh_from_db()
    assert not observer.user.check_password("chosen by coordinator 9")


def test_resending_an_invitation(coordinator_client, django_capture_on_commit_callbacks):
    waiting = factories.UserFactory(email="waiting@example.org")
    waiting.set_unusable_password()
    waiting.save()
    active = factories.UserFactory(email="active@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_invitation", "_selected_action": [waiting.pk, active.pk]},
        )
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]


def test_superuser_keeps_the_full_form(force_login_verified, client):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    force_login_verified(superuser)
    html = client.get(reverse("admin:auth_user_change", args=[superuser.pk])).content.decode()
    assert 'name="is_superuser"' in html


def test_observer_profile_added_to_an_existing_account_enrols_it(
    coordinator_client, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(username="staffer", email="staffer@example.org")
    user.set_unusable_password()
    user.save()
    organization = factories.OrganizationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("admin:auth_user_change", args=[user.pk]),
            {
                "username": "staffer",
                "email": "staffer@example.org",
                "is_active": "on",
                "observer_profile-TOTAL_FORMS": "1",
                "observer_profile-INITIAL_FORMS": "0",
                "observer_profile-0-organization": organization.pk,
                "observer_profile-0-kind": ObserverKind.PARTY,
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Observer.objects.filter(user=user).exists()
    assert user.groups.filter(name="Observer").exists() and len(mail.outbox) == 1
