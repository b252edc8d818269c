"""Beyond one machine: gunicorn with its config file, static files with hashed names
through WhiteNoise, attachments on private S3-compatible storage, the task queue."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from incidents import services
from observer.celery import app as celery_app

from . import samples
from .test_security import PRODUCTION_ENV, run_with_env
from .test_settings import ROOT


def settings_in_subprocess(expression, **env):
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        f"from django.conf import settings as s; print(json.dumps({expression}))"
    )
    result = run_with_env(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_gunicorn_settings_come_from_the_environment():
    code = "import observer.gunicorn as g; print(g.bind, g.workers, g.threads, g.worker_class, g.timeout)"
    result = run_with_env(
        ["-c", code], GUNICORN_BIND="0.0.0.0:9000", GUNICORN_WORKERS="3", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="20"
    )
    assert result.stdout.split() == ["0.0.0.0:9000", "3", "8", "gthread", "20"]


def test_one_machine_runs_tasks_at_once_and_a_broker_sends_them_to_workers():
    assert settings_in_subprocess("[s.CELERY_TASK_ALWAYS_EAGER, s.SESSION_ENGINE]", DJANGO_DEBUG="true") == [
        True,
        "django.contrib.sessions.backends.db",
    ]
    assert settings_in_subprocess("s.CELERY_TASK_ALWAYS_EAGER", **PRODUCTION_ENV) is False


def test_the_digest_schedule_names_a_registered_task(settings):
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, path, **headers):
    """One GET to the server on loopback, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def test_gunicorn_serves_hashed_static_files_and_answers_healthz(tmp_path):
    """collectstatic writes hashed, compressed copies; gunicorn with the repository's
    config file serves them through WhiteNoise, behind an HTTPS proxy, with debug off."""
    port = free_port()
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "DJANGO_S3_BUCKET": "",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    collected = run_with_env(["manage.py", "collectstatic", "--no-input", "-v0"], **env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css" and (tmp_path / "static" / f"{hashed}.gz").is_file()
    assert (
        settings_in_subprocess(
            "__import__('django.templatetags.static', fromlist=['static']).static('css/site.css')", **env
        )
        == f"/static/{hashed}"
    )

    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean_env.update(env)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:observer.gunicorn", "observer.wsgi"],
        cwd=ROOT,
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                status, _, body = fetch(port, "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert status == 200 and json.loads(body)["status"] == "ok"
        proxied = {"Host": "observer.example.org", "X-Forwarded-Proto": "https"}
        status, headers, body = fetch(port, f"/static/{hashed}", **proxied, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
        status, headers, _ = fetch(port, "/static/css/site.css", Host="observer.example.org")
        assert status == 301 and headers["Location"].startswith("https://")  # plain HTTP goes to HTTPS
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, monkeypatch):
    """The attachment storage that production settings build for a bucket, on an S3 held in memory."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    storage = settings_in_subprocess("s.STORAGES['default']", **PRODUCTION_ENV, DJANGO_S3_REGION="us-east-1")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=storage["OPTIONS"]["bucket_name"])
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        yield storage["OPTIONS"]["bucket_name"]


@pytest.mark.django_db
def test_attachments_on_object_storage_stay_private(s3_storage, submit, observer, client):
    incident = submit()
    [attachment] = services.attachments_add(
        incident=incident, actor=observer.user, uploaded_files=[samples.upload("statement.pdf", samples.pdf_bytes())]
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    stored = s3.get_object(Bucket=s3_storage, Key=attachment.file.name)
    assert stored["Body"].read().startswith(b"%PDF")
    grants = s3.get_object_acl(Bucket=s3_storage, Key=attachment.file.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers, no AuthenticatedUsers
    assert "Signature=" in attachment.file.url or "X-Amz-Signature=" in attachment.file.url  # never a bare link
    # Served only through the view that checks who asks.
    url = reverse("attachment-file", args=[attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(observer.user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
