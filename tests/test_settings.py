import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='observer.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.TIME_ZONE)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def run_python(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


@pytest.mark.parametrize(
    "start",
    [
        ["-c", "import observer.wsgi"],  # gunicorn, and runserver, which loads it
        ["-c", "import observer.asgi"],
        ["manage.py", "check", "--deploy"],
    ],
)
def test_refuses_to_start_without_secret_key_when_debug_is_off(start):
    result = run_python(start, DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_commands_that_sign_nothing_run_without_secret_key():
    result = run_python(["manage.py", "makemigrations", "--check", "--dry-run"], DJANGO_DEBUG="false")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_debug_runs_without_secret_key_on_sqlite_and_local_memory():
    result = load_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "UTC",
    ]


def test_database_and_redis_from_the_environment():
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/observer",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:3] == [
        "django.db.backends.postgresql",
        "django_redis.cache.RedisCache",
    ]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (set DATABASE_URL to a postgres:// URL)",
)
@pytest.mark.django_db
def test_a_connection_pool_shared_by_the_threads_when_asked_for():
    code = """
import os, threading
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "observer.settings"
django.setup()
from django.conf import settings
from django.db import connection, connections
database = settings.DATABASES["default"]
print(database["CONN_MAX_AGE"], database["OPTIONS"]["pool"]["max_size"])
seen = []
def ask():
    with connection.cursor() as cursor:  # a failure here shows in stderr, and in the sum
        cursor.execute("SELECT 1")
        seen.append(cursor.fetchone()[0])
    connections.close_all()
threads = [threading.Thread(target=ask) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sum(seen), type(connection.pool).__name__, connection.pool.get_stats()["pool_max"])
"""
    from django.db import connection

    # the test database, which exists while the tests run
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    url = f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"
    result = run_python(["-c", code], DJANGO_SECRET_KEY="x" * 50, DATABASE_URL=url, DJANGO_DB_POOL="2")
    assert result.returncode == 0, result.stderr
    # No connection kept per thread; six threads served by a pool of two
    assert result.stdout.split() == ["0", "2", "6", "ConnectionPool", "2"]
