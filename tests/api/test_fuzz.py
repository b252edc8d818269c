"""A fuzz run over the schema (schemathesis): the public and the observer's endpoints, with data
that fits the schema and data that does not. No answer may be a server error or break the schema.

Bounded and repeatable: a fixed number of examples per operation, derandomized (same cases
every run). About a minute on a laptop.
"""

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incidents import services

pytestmark = pytest.mark.django_db

EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 30}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(settings):
    """The site as a WSGI application, sharing the test's database transaction."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": None, "user": None},
    }
    # As Django's test client does: requests must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def fuzzed_operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/moderation/"):
            yield operation


def test_fuzz_public_and_observer_endpoints(wsgi_app, fully_filled_incident, polling_station, observer):
    schema = openapi.from_wsgi("/api/schema/", wsgi_app)
    _row, token = services.api_token_issue(user=observer.user)
    headers = {"Authorization": f"Token {token}"}
    failures = []
    operations = list(fuzzed_operations(schema))
    assert len(operations) >= 14
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, operation.path  # nothing there can be made invalid
            except Exception as error:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {error}")
    assert not failures, "\n\n".join(failures)
