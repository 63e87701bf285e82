"""Per-request values that follow a request through tasks and into log lines."""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


# Unique, not secret: a random prefix per process and a counter, which costs nothing
# per request (the secrets module reads the OS's random source every time).
_PREFIX = os.urandom(6).hex()
_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_PREFIX}{next(_COUNTER):012x}"


def accept_request_id(candidate: str | None) -> str:
    """Keep a caller's request id when it is short and printable, else make one."""
    if candidate and _REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()
