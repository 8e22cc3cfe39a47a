"""Schemathesis over the whole API, in process (WSGI) with a token that has every scope: no 5xx
and every response as the OpenAPI schema says. CI runs a bounded number of examples per
operation (FAKTURA_FUZZ_EXAMPLES, default 8); `bin/fuzz-api` runs many more."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FAKTURA_FUZZ_EXAMPLES", "8"))
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def api_schema():
    # As Django's test Client does: a request must not close the connection that holds the
    # test's transaction (PostgreSQL would lose it mid-test).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(token_for) -> str:  # once per operation; the examples share it
    return token_for(name="fuzzing")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_responses_match_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
