"""What `make bench` and `make faults` share: a PostgreSQL database of their own, app servers
(gunicorn, as in production) started and stopped, observers with API tokens, the machine's
description and the section of docs/benchmarks.md each of them rewrites.

Both run the real parts on loopback: PostgreSQL, Redis, gunicorn and the clients are separate
processes on this machine.
"""

import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SECRET_KEY = "bench-only-secret-key-not-for-production"


def server_environment(database_url, redis_url, **extra):
    """The environment of a production-like app server on loopback (no TLS in front)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Loopback, no proxy with TLS in front: no redirect to HTTPS, no secure-only cookies.
            "DJANGO_HTTPS": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
            # Every request of a run comes from one address: the per-client API limits
            # would measure themselves. The per-observer limit on new reports stays on.
            "OBSERVER_API_ANON_RATE": "100000000/minute",
            "OBSERVER_API_USER_RATE": "100000000/minute",
            # Likewise the budget of public pages built per client (the flood measure sets its own).
            "OBSERVER_PUBLIC_BUILDS_PER_CLIENT": "0",
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(*args, env, capture=False):
    """Run ``manage.py`` in its own process (its progress bars go to the terminal); stop on failure.
    With ``capture``, its standard output is returned instead of shown."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout if capture else None


def ensure_database(database_url):
    """Create the PostgreSQL database of ``database_url`` if it does not exist."""
    import psycopg

    match = re.match(r"postgres(?:ql)?://(?P<rest>[^/]*)/(?P<name>[^?]+)", database_url)
    if not match:
        raise SystemExit(f"Not a PostgreSQL URL: {database_url}")
    name = match["name"]
    admin_url = database_url.replace(f"/{name}", "/postgres", 1)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database(database_url, redis_url, *, incidents=0):
    """Migrate, load the demo election and seed ``incidents`` published ones; static files for WhiteNoise."""
    env = server_environment(database_url, redis_url)
    ensure_database(database_url)
    manage("migrate", "--no-input", "-v0", env=env)
    manage("load_demo", env=env)
    if incidents:
        manage("seed_incidents", "--count", str(incidents), "--i-know-this-is-not-production", env=env)
    manage("collectstatic", "--no-input", "-v0", env=env)
    return env


def setup_django(database_url, redis_url):
    """Use the ORM in this process, against the benchmark's database."""
    os.environ.update(server_environment(database_url, redis_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def api_token(user):
    """A new API token's text for ``user``. A staff account's is issued, as the service requires,
    by a coordinator past their second factor: a superuser of the benchmarks' own, marked
    verified as django-otp marks the admin's user after a code (the run stands in for the
    coordinator at the admin)."""
    from django.contrib.auth import get_user_model

    from incidents import permissions, services

    actor = None
    if permissions.is_staff_account(user):
        actor, _created = get_user_model().objects.get_or_create(
            username="bench-coordinator", defaults={"is_staff": True, "is_superuser": True, "password": "!"}
        )
        actor.is_verified = lambda: True
    return services.api_token_issue(user=user, actor=actor)[1]


def bench_observers(count, prefix="bench-observer"):
    """``count`` observers with one fresh API token each: ``[(observer, token_text)]``.

    Made once and kept; their old tokens are revoked on every run (the text of
    a token is known only when it is issued).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from knox.models import AuthToken

    from incidents import services
    from incidents.models import Observer, ObserverKind

    User = get_user_model()
    names = [f"{prefix}-{number:05d}" for number in range(count)]
    with transaction.atomic():
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        new = [User(username=name, password="!") for name in names if name not in existing]
        User.objects.bulk_create(new, batch_size=1000)
        users = list(User.objects.filter(username__in=names).order_by("username"))
        Group.objects.get(name="Observer").user_set.add(*users)
        have_profile = set(Observer.objects.filter(user__in=users).values_list("user_id", flat=True))
        Observer.objects.bulk_create(
            [Observer(user=user, kind=ObserverKind.values[0]) for user in users if user.pk not in have_profile]
        )
        AuthToken.objects.filter(user__in=users).delete()
    observers = {observer.user_id: observer for observer in Observer.objects.filter(user__in=users)}
    return [(observers[user.pk], services.api_token_issue(user=user)[1]) for user in users]


class Server:
    """One gunicorn app server (``observer/gunicorn.py``) on a loopback port."""

    def __init__(self, port, env, log_path, **settings):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", **{k: str(v) for k, v in settings.items()}}
        self.log_path = log_path
        self.process = None

    def start(self, timeout=60):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "python:observer.gunicorn", "bench.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn on port {self.port} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn on port {self.port} did not become healthy; see {self.log_path}")

    def workers(self):
        """PIDs of the worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_rss_mib(self):
        """Resident memory of each worker, in MiB."""
        return [rss_mib(pid) for pid in self.workers()]

    def kill(self):
        """Kill the whole server at once (master and workers), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def command_version(*command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "not found"
    text = (result.stdout or result.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine(database_url):
    """One line each: CPU, memory, software versions."""
    import django
    import gunicorn
    import psycopg

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    with psycopg.connect(database_url) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    redis = command_version("redis-server", "--version")
    return [
        f"{os.cpu_count()} CPUs (`nproc`), {int(memory) / 1024 / 1024:.0f} GiB RAM, {cpu}",
        f"PostgreSQL {postgres.split()[0]} and {redis.split(' sha=')[0]} on the same machine, over loopback",
        f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
        f"psycopg {psycopg.__version__}",
    ]


def write_section(name, markdown):
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->`` in docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
    print(f"Wrote the {name} figures to {path.relative_to(ROOT)}")


def dump(path, value):
    Path(path).write_text(json.dumps(value, indent=2, default=str))
