"""The API as its own OpenAPI schema describes it, fuzzed by schemathesis in-process: no 5xx, no
response that contradicts the schema, no undocumented status code. 25 examples per operation,
derandomised so CI is repeatable."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from linktracker.wsgi import application
from tests.factories import make_click, make_link

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_database_connection(db):
    """Django would close the test's connection after each in-process request (TOOLCHAIN fact 7)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def some_clicks():
    """A prospect who clicked and one who did not, so the figures are not all empty."""
    make_click(make_link(email="john@company.com", icp="CEO"))
    make_link(email="jane@company.com", icp=None, campaign="aura.camp")


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_api_operation_honours_its_schema(case, api_token, some_clicks):
    """Generated requests, valid and not: never a 5xx, always a documented status and body shape."""
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"}, checks=CHECKS)
