"""What the gateway's handlers reach through ``request.app.state``."""

from __future__ import annotations

from dataclasses import dataclass

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.observability.context import request_id_var
from assetforge.common.runtime import ServiceRuntime
from assetforge.gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class GatewayState:
    settings: Settings
    runtime: ServiceRuntime

    @property
    def bus(self) -> BusClient:
        return self.runtime.bus


def request_context() -> RequestContext:
    """The bus context of the current HTTP request (the principal arrives with auth)."""
    return RequestContext(request_id=request_id_var.get() or "")
