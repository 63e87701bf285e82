"""What the gateway's handlers are given: the composition root's parts (``GatewayState``)
and, per request, through Litestar's dependency injection:

- ``session``: a unit of work, committed after the handler returns (before the response
  is sent) and rolled back if it raises; a handler never opens a transaction itself;
- ``me``: the signed-in caller (routes that need one have the ``requires_user`` guard);
- ``bus``: the bus, speaking for this request (its id and, when signed in, the principal);
- ``gateway_settings``: the gateway's settings (not ``settings``: a dependency's name must
  not be a body field's, or Litestar reports that field's errors as its own 500);
- ``blobs``: the blob store (503 until it is open); ``file_services``: the file parts
  around it (who may read an asset's files, staged objects to tidy; not ``files``, a
  field of the create-asset body). The catalog cache is
  not injected (``catalog_of(request)``): see there why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.common.blobs import BlobStore
from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.db import Database
from assetforge.common.errors import Unauthorized
from assetforge.common.observability.context import request_id_var
from assetforge.common.runtime import ServiceRuntime
from assetforge.gateway.auth.authenticator import Authenticator
from assetforge.gateway.auth.cache import Identity, identity_of
from assetforge.gateway.auth.invalidation import IdentityEvents
from assetforge.gateway.catalog_cache import CatalogCache
from assetforge.gateway.files.parts import FileServices
from assetforge.gateway.service.health import GatewayReadiness
from assetforge.gateway.settings import Settings

AnyRequest = Request[Any, Any, Any]


@dataclass(frozen=True, slots=True)
class GatewayState:
    """The parts the composition root (app.py) builds once, kept in the app's state."""

    settings: Settings
    runtime: ServiceRuntime
    authenticator: Authenticator
    identity_events: IdentityEvents
    readiness: GatewayReadiness
    # The gateway's bus API as an AsyncAPI document (app.py builds it).
    asyncapi: Callable[[], dict[str, Any]]
    files: FileServices
    catalog: CatalogCache

    @property
    def bus(self) -> BusClient:
        return self.runtime.bus

    @property
    def database(self) -> Database:
        return self.runtime.database


def gateway(state: State) -> GatewayState:
    found: GatewayState = state.gateway
    return found


class RequestBus:
    """The bus client with this request's context (request id, principal) attached."""

    __slots__ = ("_client", "_context")

    def __init__(self, client: BusClient, context: RequestContext) -> None:
        self._client = client
        self._context = context

    async def request_raw(self, subject: str, message: msgspec.Struct, timeout: float | None = None) -> bytes:
        """The reply's bytes, passed on to the client as they are (no decoding); ``timeout``
        for a request that waits on a provider (the bus default otherwise)."""
        return await self._client.request_raw(subject, message, self._context, timeout=timeout)


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    async with gateway(state).database.unit_of_work() as session:
        yield session


async def provide_me(request: AnyRequest) -> Identity:
    identity = identity_of(request.scope)
    if identity is None:
        raise Unauthorized("sign in first")
    return identity


async def provide_bus(request: AnyRequest) -> RequestBus:
    identity = identity_of(request.scope)
    context = RequestContext(request_id=request_id_var.get() or "", principal=identity.principal if identity else None)
    return RequestBus(gateway(request.app.state).bus, context)


async def provide_settings(state: State) -> Settings:
    return gateway(state).settings


async def provide_files(state: State) -> FileServices:
    return gateway(state).files


def catalog_of(request: AnyRequest) -> CatalogCache:
    """The catalog cache, taken from the app's state rather than injected: a second
    injected dependency makes Litestar resolve them in an anyio task group, which cost
    the catalog's hottest route about 5% of the gateway's CPU."""
    return gateway(request.app.state).catalog


async def provide_blobs(state: State) -> BlobStore:
    return gateway(state).files.store


# How a handler asks for each: by name (as Litestar 3 requires), and not validated, since
# these are built here, not sent by the client (msgspec cannot describe all of them).
Session = NamedDependency[SkipValidation[AsyncSession]]
Me = NamedDependency[SkipValidation[Identity]]
Bus = NamedDependency[SkipValidation[RequestBus]]
GatewaySettings = NamedDependency[SkipValidation[Settings]]
Files = NamedDependency[SkipValidation[FileServices]]
Blobs = NamedDependency[SkipValidation[BlobStore]]

DEPENDENCIES = {
    "session": Provide(provide_session),
    "me": Provide(provide_me),
    "bus": Provide(provide_bus),
    "gateway_settings": Provide(provide_settings),
    "file_services": Provide(provide_files),
    "blobs": Provide(provide_blobs),
}
