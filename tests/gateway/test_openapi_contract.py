"""The gateway keeps the promises of its own OpenAPI document.

The document is valid OpenAPI 3, names the bearer scheme on every route that needs
credentials and the error replies of every route; and schemathesis, driven by the
document, finds no 5xx and no reply that breaks it (status, content type, body),
against the session's real stack (NATS, PostgreSQL, the assets service).

Schemathesis builds its tests when pytest collects them, so the document it reads
is built then by the gateway's own composition root, without starting anything;
``test_the_served_document_is_the_one_fuzzed`` makes sure the live gateway serves
that same document.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from litestar.routes import HTTPRoute
from openapi_spec_validator import validate

from tests.gateway.openapi_document import DOCUMENT, Caller, built_app, operations
from tests.privy import FakePrivy, bearer
from tests.support import RunningService

BEARER = [{"BearerToken": []}]
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
# Probes and metrics are never rate limited.
UNLIMITED = {"/api/health/live", "/api/health/ready", "/api/health", "/metrics"}


async def _served_document(gateway: httpx.AsyncClient) -> dict[str, Any]:
    response = await gateway.get("/swagger/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_the_document_is_valid_openapi_3(gateway: httpx.AsyncClient) -> None:
    document = await _served_document(gateway)
    assert document["openapi"].startswith("3.")
    validate(document)  # raises on the first violation of the OpenAPI 3 schema


async def test_the_served_document_is_the_one_fuzzed(gateway: httpx.AsyncClient) -> None:
    assert await _served_document(gateway) == DOCUMENT


def test_the_bearer_scheme_is_declared() -> None:
    scheme = DOCUMENT["components"]["securitySchemes"]["BearerToken"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"


def test_every_operation_documents_its_error_replies() -> None:
    for method, path, operation in operations(DOCUMENT):
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        # The edge may refuse any request: bad credentials, a body over the limit, a failure.
        expected = {"401", "413", "500"}
        if path not in UNLIMITED:
            expected |= {"400", "429", "503", "504"}
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if operation.get("security") == BEARER:
            expected |= {"401", "403"}
        assert expected <= set(responses), f"{label} leaves out {sorted(expected - set(responses))}"
        for status, response in responses.items():
            if int(status) >= 400 and not (path.startswith("/api/health") and status == "503"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == ERROR_BODY, f"{label} documents {status} as {schema}"


async def test_every_route_that_needs_credentials_says_so(gateway: httpx.AsyncClient) -> None:
    """Asked without credentials, a route answers 401 exactly when it documents the bearer
    scheme as required; public routes document none, or an optional one."""
    for method, path, operation in operations(DOCUMENT):
        label = f"{method.upper()} {path}"
        url = path.format(**{p["name"]: uuid.uuid4() for p in operation.get("parameters", []) if p["in"] == "path"})
        body = {} if "requestBody" in operation else None
        response = await gateway.request(method.upper(), url, json=body)
        security = operation.get("security")
        if response.status_code == 401:
            assert security == BEARER, f"{label} needs credentials but documents {security}"
        else:
            assert security is None or {} in security, f"{label} answers {response.status_code} without credentials"


async def test_options_names_every_method_of_a_path(gateway: httpx.AsyncClient, privy: FakePrivy, owner: str) -> None:
    """Litestar 2 would name only the first handler registered on the path (POST here)."""
    response = await gateway.options("/api/users/api-keys", headers=bearer(privy.token(owner)))
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, OPTIONS, POST"


async def test_metrics_are_served_as_prometheus_text(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/metrics")
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    assert DOCUMENT["paths"]["/metrics"]["get"]["responses"]["200"]["content"].keys() == {"text/plain"}


def _is_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" or any(_is_text(option) for option in schema.get("oneOf", []))


def _text_inputs(operation: dict[str, Any]) -> list[tuple[str, str]]:
    """Every query parameter and top-level body property that takes a string."""
    inputs = [
        ("query", p["name"]) for p in operation.get("parameters", []) if p["in"] == "query" and _is_text(p["schema"])
    ]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        component = DOCUMENT["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        inputs += [("body", name) for name, prop in component["properties"].items() if _is_text(prop)]
    return inputs


NUL = "a\x00b"
_ROUTES = [route for route in built_app().app.routes if isinstance(route, HTTPRoute)]


def _refusal_status(method: str, path: str) -> int:
    """What breaking a route's schema is answered with: 400, or the status the route
    declares through its ``invalid_request`` option (the catalog's routes: 422)."""
    for route in (r for r in _ROUTES if r.path_format == path):
        for handler in (h for h in route.route_handlers if method.upper() in h.http_methods):
            return 422 if handler.opt.get("invalid_request") == "VALIDATION_ERROR" else 400
    return 400


TEXT_INPUTS = [
    pytest.param(method, path, where, name, id=f"{method.upper()} {path} {name}")
    for method, path, operation in operations(DOCUMENT)
    for where, name in _text_inputs(operation)
]


@pytest.mark.parametrize(("method", "path", "where", "name"), TEXT_INPUTS)
async def test_text_the_database_cannot_hold_is_refused_naming_the_field(
    gateway: httpx.AsyncClient, caller: Caller, method: str, path: str, where: str, name: str
) -> None:
    """PostgreSQL text cannot hold NUL: a NUL in any text input is refused naming it (400, or
    422 where the route says so), not a 500 from the database (random fuzzing seldom tries
    one, so each input is tried here)."""
    url = path.format(**caller.resources)
    query, body = ({name: NUL}, None) if where == "query" else ({}, {name: NUL})
    response = await gateway.request(method.upper(), url, params=query, json=body, headers=caller.credentials())
    assert response.status_code == _refusal_status(method, path), response.text
    assert [f["field"] for f in response.json()["fields"]] == [name]


@pytest.mark.parametrize("settings", [{"theme": ["dark", NUL]}, {NUL: True}, {"nested": {"deep": {NUL: 1}}}])
async def test_settings_holding_a_nul_anywhere_are_refused(
    gateway: httpx.AsyncClient, caller: Caller, settings: dict[str, Any]
) -> None:
    """Free-form settings: no schema can say "no NUL at any depth", so it is a 422."""
    response = await gateway.post("/api/users/settings", json={"settings": settings}, headers=caller.credentials())
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [{"field": "settings", "message": "must not contain NUL (U+0000) characters"}]


@pytest.fixture(scope="module")
async def beside_the_stack() -> Callable[[Callable[[], Any]], Any]:
    """Runs a blocking call (schemathesis speaks plain HTTP with requests) in a worker
    thread while the session's event loop, which runs the stack, keeps serving."""
    loop = asyncio.get_running_loop()

    def run(call: Callable[[], Any]) -> Any:
        return loop.run_until_complete(asyncio.to_thread(call))

    return run


schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            # Deterministic and bounded: the same cases on every run, a few seconds in all.
            "seed": 20240601,
            "generation": {"mode": "all", "max-examples": 10, "deterministic": True, "database": "none"},
            # Examples, then the coverage phase (boundaries, missing and malformed values,
            # undocumented methods), then a few random cases; no links, so no stateful phase.
            "phases": {"stateful": {"enabled": False}},
            "checks": {
                # 422 VALIDATION_ERROR is the contract's answer to a well-formed request that
                # breaks a rule no schema can state: an expiry in the past, a cursor this API
                # never issued. Every other refusal of schema-valid data still fails.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
                },
            },
        }
    ),
)


@schema.parametrize()
def test_the_gateway_keeps_its_documented_contract(
    case: schemathesis.Case,
    stack: dict[str, RunningService],
    caller: Caller,
    beside_the_stack: Callable[[Callable[[], Any]], Any],
) -> None:
    base_url = stack["gateway"].url
    caller.point_at_resources(case)
    # Credentials, unless this case is about leaving them out (then 401 is the answer).
    headers = None if case.operation.schema.is_security_param_negated(case) else caller.credentials()
    # Every check schemathesis has: no 5xx; documented status, content type, headers and
    # body; schema-valid data accepted, invalid data refused; auth enforced where declared;
    # 405 with Allow for undocumented methods, and OPTIONS naming the documented ones.
    beside_the_stack(lambda: case.call_and_validate(base_url=base_url, headers=headers))
