"""Security: headers, a strict Content Security Policy, CSRF, login lockout, the security log,
files that are never rendered as pages, and a clean ``check --deploy``."""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from incidents import services
from observer.settings import csp_source

from . import factories, samples
from .test_settings import ROOT

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "observer.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://observer.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "DATABASE_URL": "postgres://observer@db.internal:5432/observer",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
    "DJANGO_S3_BUCKET": "observer-attachments",
}


def run_with_env(args, **env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY"))
    }
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


# check --deploy and the production settings


def test_check_deploy_is_clean_under_production_settings():
    result = run_with_env(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_secure_by_default():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER, s.SESSION_ENGINE, s.CELERY_TASK_ALWAYS_EAGER,"
        " s.STORAGES['staticfiles']['BACKEND'], s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], sep='|')"
    )
    result = run_with_env(["-c", code], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "django.contrib.sessions.backends.cached_db",
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "60",
        "True",
    ]


def test_public_read_acl_is_refused():
    result = run_with_env(
        ["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup()"],
        **PRODUCTION_ENV,
        DJANGO_S3_DEFAULT_ACL="public-read",
    )
    assert result.returncode != 0 and "attachments are private" in result.stderr


# Headers


def test_every_page_sends_the_security_headers(client):
    response = client.get(reverse("home"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_over_https(client):
    response = client.get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self'"  # no tile server configured: nothing from outside
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_tile_server_is_allowed_for_images_only_when_configured():
    assert csp_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert csp_source("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        "from django.conf import settings as s; d = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(d['img-src'], d['script-src'], d['connect-src'])"
    )
    result = run_with_env(
        ["-c", code], DJANGO_DEBUG="true", OBSERVER_MAP_TILE_URL="https://{s}.tile.example.org/{z}.png"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[\"'self'\", 'https://*.tile.example.org'] [\"'self'\"] [\"'self'\"]"


def test_session_and_csrf_cookies_are_secure_and_session_is_http_only(client, observer):
    client.get(reverse("login"))
    assert client.cookies["csrftoken"]["secure"]
    response = client.post(reverse("login"), {"username": observer.user.username, "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_forms_need_the_csrf_token(observer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": observer.user.username, "password": PASSWORD})
    assert response.status_code == 403


# No inline script or style anywhere


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style[\s>]", re.I)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def assert_no_inline_code(html, where):
    for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, JAVASCRIPT_URL):
        found = pattern.search(html)
        assert found is None, f"{where}: {found.group(0)[:120]}"


def test_our_templates_have_no_inline_script_handler_or_style():
    for template in sorted((ROOT / "templates").rglob("*.html")):
        assert_no_inline_code(template.read_text(encoding="utf-8"), template.relative_to(ROOT))


def test_rendered_pages_have_no_inline_code(client, force_login_verified, submit, moderator, coordinator, observer):
    incident = submit()
    factories.AttachmentFactory(incident=incident)
    pages = [reverse("home"), reverse("login"), reverse("password_reset")]
    for url in pages:
        assert_no_inline_code(client.get(url).content.decode(), url)
    client.force_login(observer.user)
    for url in (reverse("report-list"), reverse("report-choose"), reverse("report-detail", args=[incident.reference])):
        assert_no_inline_code(client.get(url).content.decode(), url)
    client.force_login(moderator)
    assert_no_inline_code(client.get(reverse("two-factor-setup")).content.decode(), "two-factor setup")
    force_login_verified(moderator)
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:incidents_incident_changelist"),
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        reverse("admin:incidents_incident_dashboard"),
        reverse("two-factor-backup-codes"),
    ]
    force_login_verified(coordinator)
    admin_pages += [reverse("admin:incidents_region_import"), reverse("admin:auth_user_changelist")]
    for url in admin_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_code(response.content.decode(), url)


# Brute-force lockout


def attempt(client, username, password, ip="203.0.113.7", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_username_from_that_address(client, moderator, caplog, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    with caplog.at_level(logging.INFO, logger="security"):
        for _ in range(4):
            assert attempt(client, moderator.username, "wrong").status_code == 200
        locked = attempt(client, moderator.username, "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many attempts" in html and "Try again in 15 minutes" in html
    assert f"lockout user={moderator.username} ip=203.0.113.7" in caplog.text
    # Even the right password is refused now, on our login page and on the admin's.
    assert attempt(client, moderator.username, PASSWORD).status_code == 429
    assert attempt(client, moderator.username, PASSWORD, url=reverse("admin:login")).status_code == 429
    # Keyed by username and address: others log in, and so does this account from elsewhere.
    other = factories.ModeratorFactory()
    assert attempt(client, other.username, PASSWORD).status_code == 302
    assert attempt(Client(), moderator.username, PASSWORD, ip="198.51.100.4").status_code == 302


def test_a_coordinator_unlocks_an_account(client, observer):
    for _ in range(5):
        attempt(client, observer.user.username, "wrong")
    assert attempt(client, observer.user.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", observer.user.username, stdout=io.StringIO())
    assert attempt(client, observer.user.username, PASSWORD).status_code == 302


def test_the_client_address_behind_proxies(rf, settings):
    from incidents.security.audit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.OBSERVER_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.OBSERVER_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw; the first entry is the client's to forge
    forged = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(forged) == "10.0.0.2"


# The security log


def test_logins_logouts_and_failures_are_logged_without_passwords(client, observer, caplog):
    with caplog.at_level(logging.INFO, logger="security"):
        attempt(client, observer.user.username, "wrong-secret-Passw0rd")
        attempt(client, "nobody\nlogin user=admin", "x")
        attempt(client, observer.user.username, PASSWORD)
        client.post(reverse("logout"))
    lines = [record.getMessage() for record in caplog.records if record.name == "security"]
    assert lines[0].startswith(f"login-failed user={observer.user.username} ip=203.0.113.7 path=/accounts/login/")
    assert lines[1].startswith("login-failed user=nobody?login?user=admin ")  # one line, whatever was typed
    assert lines[2].startswith(f"login user={observer.user.username} ip=203.0.113.7") and "staff=False" in lines[2]
    assert lines[3].startswith(f"logout user={observer.user.username}")
    assert "wrong-secret-Passw0rd" not in caplog.text and PASSWORD not in caplog.text


def test_second_factor_events_are_logged(client, moderator, caplog):
    services.backup_codes_renew(user=moderator)
    from django_otp.plugins.otp_static.models import StaticToken

    code = StaticToken.objects.filter(device__user=moderator).first().token
    with caplog.at_level(logging.INFO, logger="security"):
        attempt(client, moderator.username, PASSWORD)
        client.post(reverse("two-factor"), {"code": "zzzzzzzz"})
        client.post(reverse("two-factor"), {"code": code})
    assert f"second-factor-failed user={moderator.username}" in caplog.text
    assert code not in caplog.text and "zzzzzzzz" not in caplog.text


def test_admin_changes_are_recorded(force_login_verified, coordinator, region):
    client = force_login_verified(coordinator)
    url = reverse("admin:incidents_region_change", args=[region.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name_en="Almaty city", parent="")
    response = client.post(url, data)
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(region.pk))
    assert entry.user == coordinator and entry.action_flag == CHANGE and "Name" in entry.get_change_message()


# Uploaded files are never rendered as pages


def test_svg_and_html_uploads_are_refused_by_the_attachment_service():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, content, claimed in [
        ("drawing.svg", svg, "image/svg+xml"),
        ("page.html", b"<!doctype html><html><body onload=alert(1)></body></html>", "text/html"),
    ]:
        with pytest.raises(ValidationError, match="not accepted"):
            services.attachments_prepare([samples.upload(name, content, claimed)])


@pytest.mark.parametrize("stored_type", ["image/svg+xml", "text/html", "application/xhtml+xml", "text/plain"])
def test_a_file_of_any_other_type_is_only_ever_downloaded(client, stored_type):
    incident = factories.IncidentFactory(published=True)
    attachment = factories.AttachmentFactory(incident=incident, is_public=True, content_type=stored_type)
    response = client.get(reverse("attachment-file", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{incident.reference}-{attachment.pk}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_photo_is_shown_inline_but_sandboxed(client):
    incident = factories.IncidentFactory(published=True)
    attachment = factories.AttachmentFactory(incident=incident, is_public=True, content_type="image/jpeg")
    response = client.get(reverse("attachment-file", args=[attachment.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert attachment.original_name not in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_no_file_folder_is_served(client, private_media_root):
    attachment = factories.AttachmentFactory(is_public=True)
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert Path(private_media_root, attachment.file.name).is_file()
