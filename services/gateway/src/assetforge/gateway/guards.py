"""Route guards: a signed-in user, or an admin."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from assetforge.gateway.edge import identity_of


def requires_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if identity_of(connection.scope) is None:
        raise NotAuthorizedException("sign in first", headers={"WWW-Authenticate": 'Bearer realm="asset-forge"'})


def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    requires_user(connection, handler)
    identity = identity_of(connection.scope)
    if identity is None or not identity.principal.is_admin:
        raise PermissionDeniedException("administrators only")
