"""Per-request values that follow a request through tasks and into log lines."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def new_request_id() -> str:
    return secrets.token_hex(12)


def accept_request_id(candidate: str | None) -> str:
    """Keep a caller's request id when it is short and printable, else make one."""
    if candidate and _REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()
