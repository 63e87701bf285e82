"""The gateway's OpenAPI document as its composition root builds it (nothing started),
for the tests that are driven by it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import schemathesis

from tests.privy import FakePrivy, bearer
from tests.support import ENTRIES, service_env

METHODS = ("get", "put", "post", "delete", "patch")


def built_app() -> Any:
    """The gateway's ASGI app, from its real composition root (nothing is started)."""
    entry = ENTRIES["gateway"]
    settings = entry.load_settings(
        service_env(
            "nats://127.0.0.1:9",
            "postgresql://nobody@127.0.0.1:9/none",
            PRIVY_APP_ID="test-app",
            PRIVY_JWKS_URL="http://127.0.0.1:9/jwks.json",
        )
    )
    return entry.create_app(settings, entry.create_runtime(settings))


def _built_document() -> dict[str, Any]:
    """The gateway's document, as its composition root builds it."""
    document: dict[str, Any] = built_app().app.openapi_schema.to_schema()
    return document


DOCUMENT = _built_document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@dataclass(frozen=True)
class Caller:
    """An admin (every route is open to one) and a resource of each kind the document
    names in a path, so that schema-valid ids can name real ones."""

    subject: str
    privy: FakePrivy
    resources: dict[str, str]

    def credentials(self) -> dict[str, str]:
        # A fresh token on each call: signing one out does not sign out the rest of the run.
        return bearer(self.privy.token(self.subject))

    def point_at_resources(self, case: schemathesis.Case) -> None:
        """Generated ids name nothing, and would only ever meet 404: a well-formed one is
        replaced by a real resource, so success replies are checked against the document too."""
        for name, value in (case.path_parameters or {}).items():
            if name in self.resources and _is_uuid(value):
                case.path_parameters[name] = self.resources[name]


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
