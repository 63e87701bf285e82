"""What the gateway's handlers reach through ``request.app.state``, and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.db import Database
from assetforge.common.errors import Unauthorized
from assetforge.common.observability.context import request_id_var
from assetforge.common.runtime import ServiceRuntime
from assetforge.gateway.auth.authenticator import Authenticator
from assetforge.gateway.auth.cache import Identity
from assetforge.gateway.edge import identity_of
from assetforge.gateway.identity_events import IdentityEvents
from assetforge.gateway.service.health import GatewayReadiness
from assetforge.gateway.settings import Settings

AnyRequest = Request[Any, Any, Any]


@dataclass(frozen=True, slots=True)
class GatewayState:
    settings: Settings
    runtime: ServiceRuntime
    authenticator: Authenticator
    identity_events: IdentityEvents
    readiness: GatewayReadiness

    @property
    def bus(self) -> BusClient:
        return self.runtime.bus

    @property
    def database(self) -> Database:
        return self.runtime.database


def gateway(request: AnyRequest) -> GatewayState:
    state: GatewayState = request.app.state.gateway
    return state


def caller(request: AnyRequest) -> Identity:
    """The authenticated caller; the route's guard has made sure there is one."""
    identity = identity_of(request.scope)
    if identity is None:
        raise Unauthorized("sign in first")
    return identity


def request_context(request: AnyRequest) -> RequestContext:
    """The bus context of this HTTP request: its id and, when signed in, the principal."""
    identity = identity_of(request.scope)
    return RequestContext(request_id=request_id_var.get() or "", principal=identity.principal if identity else None)
