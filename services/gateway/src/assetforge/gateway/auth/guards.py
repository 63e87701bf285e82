"""Route guards: a signed-in user, an admin, or the metrics port.

Async on purpose: Litestar runs a synchronous guard in its thread pool, a thread hop
per request (measured: ~10% of the gateway's CPU on /api/users/me).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from assetforge.common.http import refuse_unless_on_port
from assetforge.gateway.auth.cache import identity_of


async def requires_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if identity_of(connection.scope) is None:
        raise NotAuthorizedException("sign in first", headers={"WWW-Authenticate": 'Bearer realm="asset-forge"'})


async def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    await requires_user(connection, handler)
    identity = identity_of(connection.scope)
    if identity is None or not identity.principal.is_admin:
        raise PermissionDeniedException("administrators only")


async def metrics_port_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """With METRICS_PORT set, the route answers on that port only, and is an unknown
    route (404, like any other) on the public one."""
    metrics_port = connection.app.state.gateway.settings.http.metrics_port
    if metrics_port is not None:
        refuse_unless_on_port(connection, metrics_port)
