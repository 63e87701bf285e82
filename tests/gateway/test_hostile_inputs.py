"""A table-driven sweep of every route in the OpenAPI document with what random fuzzing
seldom builds: deep nesting, broken UTF-8, oversized values, numeric and date extremes,
and every wrong JSON type in every body field, query and path parameter.

No answer may be a 5xx; every refusal is in the API's error format. (The schemathesis
run in test_openapi_contract.py covers the schema's own boundaries.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.gateway.openapi_document import DOCUMENT, Caller, operations

DEEP = 100_000
HUGE_INT = "9" * 400
DATES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "0000-01-01T00:00:00Z",
    "99999-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z",
    "-0001-01-01T00:00:00Z",
]
# Raw JSON for a field's value: every type, and the extremes of each.
VALUES = [
    b"null",
    b"true",
    b"0",
    b"-1",
    b"9223372036854775808",
    b"-9223372036854775809",
    HUGE_INT.encode(),
    b"1e308",
    b"-1e308",
    b"1e999",
    b"0.0000000000000000000000000001",
    b'""',
    b'"' + b"x" * 200_000 + b'"',
    b"[]",
    b"{}",
    b"[1, 2, 3]",
    b'{"a": {"b": {"c": 1}}}',
    b"[" * 40 + b"]" * 40,
    *(json.dumps(date).encode() for date in DATES),
]
BODIES = {
    "deep": b"[" * DEEP + b"]" * DEEP,
    "deep object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "invalid UTF-8": b'{"name": "\xff\xfe\xfd"}',
    "lone surrogate": b'{"name": "\\ud800"}',
    "NaN": b'{"name": NaN}',
    "not an object": b'"just text"',
    "array": b"[1, 2]",
    "empty": b"",
    "truncated": b'{"name": "a',
    "duplicate keys": b'{"name": "a", "name": 1}',
    "huge": b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
}
QUERY_VALUES = [
    "",
    "-1",
    "0",
    HUGE_INT,
    "1e309",
    "NaN",
    "x" * 10_000,
    "%ff%fe",
    "true",
    "[]",
    *DATES,
]
PATH_VALUES = ["%ff", "x" * 5_000, "..%2F..%2Fetc", "00000000-0000-0000-0000-00000000000g", "%00"]


def _body_fields(operation: dict[str, Any]) -> list[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" not in body:
        return []
    component = DOCUMENT["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return list(component.get("properties", {}))


Attempt = tuple[dict[str, str], str, bytes | None]  # path values, raw query, body


def _cases() -> Iterator[Any]:
    for method, path, operation in operations(DOCUMENT):
        label = f"{method.upper()} {path}"
        params = operation.get("parameters", [])
        if "requestBody" in operation:
            for name, body in BODIES.items():
                yield pytest.param(method, path, [({}, "", body)], id=f"{label} body {name}")
            for field in _body_fields(operation):
                bodies = [b'{"' + field.encode() + b'": ' + value + b"}" for value in VALUES]
                yield pytest.param(method, path, [({}, "", b) for b in bodies], id=f"{label} body.{field}")
        for param in (p for p in params if p["in"] == "query"):
            # Raw query strings, so "%ff" reaches the server as an invalid byte.
            attempts = [({}, f"{param['name']}={value}", None) for value in QUERY_VALUES]
            yield pytest.param(method, path, attempts, id=f"{label} ?{param['name']}")
        for param in (p for p in params if p["in"] == "path"):
            attempts = [({param["name"]: value}, "", None) for value in PATH_VALUES]
            yield pytest.param(method, path, attempts, id=f"{label} /{param['name']}")


def _assert_answered(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str), what
        assert body.get("requestId") == response.headers["x-request-id"], what


@pytest.mark.parametrize(("method", "path", "attempts"), list(_cases()))
async def test_no_hostile_input_gets_a_server_error(
    gateway: httpx.AsyncClient,
    caller: Caller,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    attempts: list[Attempt],
) -> None:
    headers = {**caller.credentials(), "content-type": "application/json"}
    with caplog.at_level(logging.ERROR):
        for path_values, query, body in attempts:
            url = path.format(**(caller.resources | path_values))
            target = f"{url}?{query}" if query else url
            response = await gateway.request(method.upper(), target, content=body, headers=headers)
            _assert_answered(response, f"{method.upper()} {target[:120]} {str(body)[:80]}")
    errors = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors
