"""``GET /healthz``: 200 when this app process can reach its database and its cache.
And the answer of every other page while the database does not answer.

Load balancers ask it over plain HTTP, by an address that is not one of
ALLOWED_HOSTS, so it is answered by a middleware ahead of the host check and
the HTTPS redirect. The answer names what failed, nothing more: no versions,
no addresses, no error texts.
"""

import logging
import secrets

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

PATH = "/healthz"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache():
    key = f"healthz:{secrets.token_hex(8)}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


CHECKS = {"database": check_database, "cache": check_cache}


def health():
    """``(ok, {check: "ok" | "failing"})``; a failing check is logged with its error."""
    results = {}
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception:
            logger.exception("Health check: the %s does not answer", name)
            passed = False
        results[name] = "ok" if passed else "failing"
    return all(value == "ok" for value in results.values()), results


class HealthCheckMiddleware:
    """Answers ``GET``/``HEAD /healthz`` itself; passes everything else on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        ok, checks = health()
        failing = [name for name, result in checks.items() if result != "ok"]
        body = {"status": "ok" if ok else "failing", "checks": checks}
        if failing:
            body["reason"] = f"{' and '.join(failing)} not answering"
        response = JsonResponse(body, status=200 if ok else 503)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


#: errors that mean the database did not answer (restarting, unreachable, connection lost)
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: seconds a client is asked to wait before it tries again
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A page saying "try again in a moment", not a server error, while the database does not answer.

    Nothing half written is left behind: every write of the services runs in
    one transaction, which the database rolls back when the connection
    breaks. The API answers the same in its own format (``api.errors``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning("The database did not answer %s %s: %s", request.method, request.path, exception)
        # The page must not ask the database again: no user, no messages from the session.
        response = render(request, "unavailable.html", {"user": AnonymousUser(), "messages": []}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
