"""Who is asking and on behalf of which request: read from and written to headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assetforge.common.contracts import headers as h
from assetforge.common.observability.context import accept_request_id


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    principal: Principal | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str] | None) -> RequestContext:
        headers = headers or {}
        user_id = headers.get(h.USER_ID)
        principal = Principal(user_id, headers.get(h.USER_ROLE, "member")) if user_id else None
        return cls(request_id=accept_request_id(headers.get(h.REQUEST_ID)), principal=principal)

    def to_headers(self) -> dict[str, str]:
        headers = {h.REQUEST_ID: self.request_id}
        if self.principal is not None:
            headers[h.USER_ID] = self.principal.user_id
            headers[h.USER_ROLE] = self.principal.role
        return headers
