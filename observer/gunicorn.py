"""gunicorn settings, from the environment: ``gunicorn -c python:observer.gunicorn observer.wsgi``.

Each worker process runs GUNICORN_THREADS threads, and each thread keeps its
own database connection (DJANGO_CONN_MAX_AGE): PostgreSQL must allow
workers x threads connections per app server, plus the Celery workers.
"""

import os


def _int(name, default):
    return int(os.environ.get(name) or default)


#: where to listen; behind a proxy on the same machine, loopback
bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"
#: worker processes: by default two per core
workers = _int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1))
#: threads per worker (gthread): requests waiting on the database do not hold a whole process
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
#: a request still running after this many seconds has its worker restarted
timeout = _int("GUNICORN_TIMEOUT", 30)
#: on a restart, requests under way get this long to finish
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
#: seconds an idle connection from the proxy is kept open
keepalive = _int("GUNICORN_KEEPALIVE", 5)
#: workers are replaced after this many requests (0: never), a bound on slow leaks
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = max_requests // 10
#: proxies whose X-Forwarded-* headers are believed (comma-separated addresses, or *)
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# Request and error logs to standard output, for systemd or the container runtime.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Workers start the application themselves: no database connection is shared across a fork.
preload_app = False
