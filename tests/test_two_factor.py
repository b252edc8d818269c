"""Staff reach the admin only with a password and a second factor; observers with a password."""

import io
import logging
import re
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import services

from . import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
ADMIN = "/admin/"


def app_code(device, steps_ahead=0):
    """The code an authenticator app with ``device``'s key shows (``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(client, user, next_url=ADMIN):
    """The password step, through the login form, as a person does it."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, "the password was refused"
    return response


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = services.backup_codes_renew(user=user)
    return device, codes


def test_password_alone_does_not_open_the_admin(client, moderator):
    log_in(client, moderator)
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor-setup"))
    assert client.get(reverse("admin:incidents_incident_changelist")).status_code == 302


def test_first_login_sets_up_an_app_with_a_locally_drawn_qr_code(client, moderator, caplog):
    log_in(client, moderator)
    page = client.get(f"{reverse('two-factor-setup')}?next={ADMIN}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<img" not in html  # drawn here, not fetched from anywhere
    device = TOTPDevice.objects.get(user=moderator, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert secret in client.get(reverse("two-factor-setup")).content.decode()  # the same key on reload
    # A wrong code is refused next to the field.
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000", "next": ADMIN})
    assert wrong.status_code == 200 and "This code is not right" in wrong.content.decode()
    too_soon = client.post(reverse("two-factor-setup"), {"code": app_code(device), "next": ADMIN})
    assert "Too many wrong codes" in too_soon.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # the pause is over
    with caplog.at_level(logging.INFO, logger="security"):
        right = client.post(reverse("two-factor-setup"), {"code": app_code(device), "next": ADMIN})
    assert right.status_code == 302 and right.url.startswith(reverse("two-factor-backup-codes"))
    assert "second-factor-enrolled user=" + moderator.username in caplog.text
    # The backup codes are shown once.
    codes_page = client.get(right.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert not any(code in client.get(right.url).content.decode() for code in codes)
    assert client.get(ADMIN).status_code == 200


def test_next_login_asks_for_a_code_from_the_app(client, moderator):
    device, _ = enrolled(moderator)
    log_in(client, moderator)
    assert client.get(ADMIN, follow=True).redirect_chain[-1][0].startswith(reverse("two-factor"))
    page = client.post(reverse("two-factor"), {"code": "123456", "next": ADMIN})
    assert "This code is not right" in page.content.decode()
    assert client.get(ADMIN).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the pause after a wrong code is over
    device.save()
    response = client.post(reverse("two-factor"), {"code": app_code(device), "next": ADMIN})
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_code_works_once(client, moderator):
    device, _ = enrolled(moderator)
    code = app_code(device)
    log_in(client, moderator)
    assert client.post(reverse("two-factor"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    log_in(client, moderator)
    replay = client.post(reverse("two-factor"), {"code": code})
    assert replay.status_code == 200 and client.get(ADMIN).status_code == 302


def test_a_backup_code_works_once_instead_of_the_app(client, moderator):
    _, codes = enrolled(moderator)
    log_in(client, moderator)
    assert client.post(reverse("two-factor"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(ADMIN).status_code == 200
    client.post(reverse("logout"))
    log_in(client, moderator)
    assert client.post(reverse("two-factor"), {"code": codes[0]}).status_code == 200
    assert services.backup_codes_left(moderator) == 9


def test_repeated_wrong_codes_are_slowed_down(client, moderator):
    device, _ = enrolled(moderator)
    log_in(client, moderator)
    client.post(reverse("two-factor"), {"code": "111111"})
    page = client.post(reverse("two-factor"), {"code": app_code(device)})  # right, but too soon
    assert "Too many wrong codes" in page.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_session_without_the_second_factor_cannot_add_a_phone(client, moderator):
    """A stolen password is not enough to enrol the thief's own phone."""
    enrolled(moderator)
    log_in(client, moderator)
    response = client.get(reverse("two-factor-setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
    assert client.post(reverse("two-factor-setup"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=moderator).count() == 1
    with pytest.raises(services.SecondFactorError):
        services.totp_device_pending(user=moderator)


def test_backup_codes_can_be_renewed_only_after_the_second_factor(client, moderator, force_login_verified):
    _, old = enrolled(moderator)
    log_in(client, moderator)
    response = client.post(reverse("two-factor-backup-codes"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
    assert services.backup_codes_left(moderator) == 10
    force_login_verified(moderator)
    page = client.post(reverse("two-factor-backup-codes"), follow=True).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.get(user=moderator).token_set.count() == 10


def test_observers_log_in_with_a_password_only(client, observer):
    response = log_in(client, observer.user, next_url="")
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("report-list")
    assert client.get(reverse("report-list")).status_code == 200
    assert client.get(reverse("two-factor")).url == reverse("after-login")
    assert client.get(reverse("two-factor-setup")).url == reverse("after-login")
    assert not TOTPDevice.objects.filter(user=observer.user).exists()


def test_the_admin_login_page_leads_to_the_second_factor_too(client, moderator):
    enrolled(moderator)
    response = client.post(
        reverse("admin:login"), {"username": moderator.username, "password": PASSWORD, "next": ADMIN}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor"))
    assert "Second step of logging in" in response.content.decode()


def test_private_files_need_the_second_factor(client, moderator, force_login_verified):
    attachment = factories.AttachmentFactory(is_public=False)
    url = reverse("attachment-file", args=[attachment.pk])
    client.force_login(moderator)
    assert client.get(url).status_code == 404
    force_login_verified(moderator)
    assert client.get(url).status_code == 200


def test_coordinator_resets_a_lost_phone_in_the_admin(client, moderator, coordinator, force_login_verified, caplog):
    enrolled(moderator)
    moderator_client = force_login_verified(moderator, client=Client())
    assert moderator_client.get(ADMIN).status_code == 200
    force_login_verified(coordinator)
    with caplog.at_level(logging.INFO, logger="security"):
        response = client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [moderator.pk]},
            follow=True,
        )
    assert "was reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    assert not StaticDevice.objects.filter(user=moderator).exists()
    assert (
        f"second-factor-reset user={moderator.username}" in caplog.text and f"by={coordinator.username}" in caplog.text
    )
    assert LogEntry.objects.filter(object_id=str(moderator.pk), user=coordinator).exists()
    # The session that passed with the old phone has lost the admin; the next login sets up a new app.
    assert moderator_client.get(ADMIN).status_code == 302


def test_coordinators_cannot_reset_a_superuser(coordinator):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    enrolled(superuser)
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(user=superuser, actor=coordinator)
    assert TOTPDevice.objects.filter(user=superuser).exists()


def test_moderators_cannot_reset_anyone(moderator):
    colleague = factories.ModeratorFactory()
    enrolled(colleague)
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(user=colleague, actor=moderator)
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_reset_command(moderator):
    enrolled(moderator)
    out = io.StringIO()
    call_command("reset_second_factor", moderator.username, stdout=out)
    assert "2 device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=moderator).exists()
    with pytest.raises(CommandError, match="No such account: nobody"):
        call_command("reset_second_factor", "nobody", stdout=io.StringIO())


def test_demo_staff_get_a_second_factor_in_debug(client, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    moderator = TOTPDevice.objects.get(user__username="moderator1", confirmed=True)
    assert "moderator1: app key" in printed and "otpauth://totp/" in printed
    codes = re.search(r"moderator1: app key.*?backup codes: ([a-z2-7 ]+)", printed, re.S).group(1).split()
    assert len(codes) == 10
    assert not TOTPDevice.objects.filter(user__username="observer1").exists()
    # A new user follows what was printed: the password, then a backup code.
    client.post(reverse("login"), {"username": "moderator1", "password": "observer-demo-2021", "next": ADMIN})
    assert client.post(reverse("two-factor"), {"code": codes[0], "next": ADMIN}).url == ADMIN
    assert client.get(ADMIN).status_code == 200
    # Loading again keeps the app key and gives fresh backup codes.
    call_command("load_demo", stdout=io.StringIO())
    assert TOTPDevice.objects.get(user__username="moderator1", confirmed=True).key == moderator.key
