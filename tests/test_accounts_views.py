"""Login, logout, password change and reset: our own pages, mail through Django's mail."""

import pytest
from django.core import mail
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_observer_logs_in_and_lands_on_their_reports(client, election):
    observer = factories.ObserverFactory()
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": observer.user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("report-list")
    assert "My reports" in response.content.decode() and "Log out" in response.content.decode()


def test_wrong_password_says_so_on_the_form(client):
    factories.ObserverFactory(user__username="dana")
    response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
    assert response.status_code == 200 and "correct username and password" in response.content.decode()


def test_staff_on_the_observer_pages_are_told_where_to_go(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("report-list"))
    assert response.status_code == 403 and reverse("admin:index") in response.content.decode()


def test_logout_is_a_post_and_shows_our_page(client, observer):
    client.force_login(observer.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("report-list")).status_code == 302  # logged out: back to the login page


def test_password_change(client, observer):
    client.force_login(observer.user)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long phrase 77",
            "new_password2": "another long phrase 77",
        },
    )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    observer.user.refresh_from_db()
    assert observer.user.check_password("another long phrase 77")


def test_password_reset_by_mail(client, observer):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": observer.user.email}, follow=True)
    assert response.status_code == 200 and "Check your mail" in response.content.decode()
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your Observer account: reset your password"


def test_used_link_says_it_no_longer_works(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200 and "no longer works" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [("observer", "/report/"), ("moderator", "/admin/"), ("nobody", "/")],
)
def test_login_leads_each_user_to_their_place(client, who, lands_on, observer, moderator):
    user = {"observer": observer.user, "moderator": moderator, "nobody": factories.UserFactory()}[who]
    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == lands_on
