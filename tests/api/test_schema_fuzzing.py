"""Schema-driven fuzzing of the whole REST API (schemathesis against the schema /api/schema/ serves), as sales
operations and as a rep. Every operation the schema declares is walked — a module that routes a viewset is
covered the moment it is registered. Valid and malformed requests alike: no answer is a 5xx, and every answer
matches what the schema declares (status code, content type, body)."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from kehu.customers.models import Contact, Customer
from kehu.org.models import Role
from tests.factories import UserFactory


def _served_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


SCHEMA = schemathesis.openapi.from_dict(_served_schema())
OPERATIONS = sorted((op.ok().path, op.ok().method.upper()) for op in SCHEMA.get_all_operations())


def _can_be_malformed(operation) -> bool:
    """A request can be made not to fit when the operation takes a body or a typed or enumerated parameter (a free
    string path segment or a parameterless GET has no wrong value)."""
    raw = operation.definition.raw
    if "requestBody" in raw:
        return True
    return any(
        p.get("in") != "header" and (p.get("schema", {}).get("type", "string") != "string" or "enum" in p["schema"])
        for p in raw.get("parameters", [])
    )


CASES = [
    pytest.param(path, method, mode, id=f"{method} {path} {mode.value}")
    for path, method in OPERATIONS
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    if mode is schemathesis.GenerationMode.POSITIVE or _can_be_malformed(SCHEMA[path][method])
]
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, with the test's database connection kept open across requests (as the test client
    does: closing it at the end of each request would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["sales_ops", "sales_rep"])
def api_user(request, org):
    department = org.ops if request.param == "sales_ops" else org.north
    user = UserFactory(
        username=f"fuzz_{request.param}", department=department, roles=[Role.objects.get(code=request.param)]
    )
    customer = Customer.objects.create(
        number="CU-FZ-1", name="模糊测试客户", name_normalized="模糊测试客户", owner=user
    )
    Contact.objects.create(customer=customer, name="张三", mobile="13800000000")
    return user


def test_the_fuzzed_schema_is_the_served_one(client, org):
    client.force_login(org.admin)
    served = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert len(OPERATIONS) > 80


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(path, method, mode, api_user, wsgi_app):
    operation = SCHEMA[path][method]
    token = Token.objects.create(user=api_user).key
    headers = {"Authorization": f"Token {token}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case):
        response = case.call(app=wsgi_app, headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()
