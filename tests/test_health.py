"""GET /healthz: 200 only when the database and the cache answer; load balancers reach it as they are."""

import json
import os
import subprocess
import sys

import pytest

from .test_settings import ROOT

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_cache_not_answering_is_503_with_the_reason(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "failing",
        "checks": {"database": "ok", "cache": "failing"},
        "reason": "cache not answering",
    }
    assert "127.0.0.1" not in response.content.decode()  # no addresses, no error texts


def test_database_not_answering_is_503_with_the_reason(tmp_path):
    """A real broken database: an app process whose database cannot be opened."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="observer.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/no-such-folder/db.sqlite3",
    )
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer == {
        "status": 503,
        "body": {
            "status": "failing",
            "checks": {"database": "failing", "cache": "ok"},
            "reason": "database not answering",
        },
    }
    assert "Health check: the database does not answer" in result.stderr  # the error goes to the log


def test_answers_any_host_over_plain_http(client, settings):
    """Load balancers ask by the app server's own address, over HTTP."""
    settings.ALLOWED_HOSTS = ["observer.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # every other page checks the host
    assert client.get("/", HTTP_HOST="observer.example.org").status_code == 301  # and goes to HTTPS


def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    response = client.post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
