"""Demo accounts log in only under debug, whatever filled the database; debug has its own SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services

from .. import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct horse battery staple"


@pytest.fixture
def demo_staff(db):
    # as load_demo leaves a demo moderator when it ran under debug
    return factories.ModeratorFactory(username="moderator1", email="moderator1@demo.invalid")


@pytest.fixture
def demo_observer(db):
    return factories.ObserverFactory(user__username="observer1", is_demo=True)


def logs_in(client, username):
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_demo_staff_cannot_log_in_outside_debug(client, demo_staff, settings):
    settings.DEBUG = False
    assert not logs_in(client, "moderator1")
    settings.DEBUG = True
    assert logs_in(client, "moderator1")


def test_demo_observer_cannot_log_in_outside_debug(client, demo_observer, settings):
    settings.DEBUG = False
    response = client.post(reverse("login"), {"username": "observer1", "password": PASSWORD})
    assert response.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session


def test_a_demo_session_ends_when_debug_is_off(client, demo_observer, settings):
    settings.DEBUG = True
    client.force_login(demo_observer.user)
    assert client.get(reverse("report-list")).status_code == 200
    settings.DEBUG = False
    assert client.get(reverse("report-list")).status_code == 302


def test_a_demo_token_does_not_work_outside_debug(demo_observer, settings):
    _row, token = services.api_token_issue(user=demo_observer.user, actor=demo_observer.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    settings.DEBUG = False
    assert api.get(reverse("api-report-list")).status_code == 401


def test_a_real_account_logs_in(client, observer, settings):
    settings.DEBUG = False
    assert logs_in(client, observer.user.username)


def database_name(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env, DJANGO_SECRET_KEY="x")
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip()).name


def test_debug_has_its_own_default_sqlite_file():
    assert database_name(DJANGO_DEBUG="true") == "db.debug.sqlite3"
    assert database_name(DJANGO_DEBUG="false") == "db.sqlite3"
