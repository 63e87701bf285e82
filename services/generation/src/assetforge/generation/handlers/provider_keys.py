"""Bus endpoints of users' own provider keys: decode, one service call, encode. Every one
needs the principal (the gateway's signed-in user); no reply carries a key."""

from __future__ import annotations

from assetforge.common.bus.context import RequestContext
from assetforge.common.bus.rpc import RpcRouter
from assetforge.common.contracts import provider_keys as contract
from assetforge.common.db import Database
from assetforge.generation.keyring import KeyRing
from assetforge.generation.service import provider_keys as service


def register(router: RpcRouter, database: Database, keyring: KeyRing) -> None:
    async def set_keys(command: contract.SetProviderKeys, context: RequestContext) -> contract.KeysSaved:
        async with database.unit_of_work() as session:
            return await service.set_keys(session, keyring, command, context.principal)

    async def status(_query: contract.ReadKeysStatus, context: RequestContext) -> contract.KeysStatus:
        async with database.read_only() as connection:
            return await service.status(connection, context.principal)

    async def delete(_command: contract.DeleteProviderKeys, context: RequestContext) -> contract.KeysSaved:
        async with database.unit_of_work() as session:
            return await service.delete_keys(session, context.principal)

    router.add(
        contract.KEYS_SET,
        contract.SetProviderKeys,
        contract.KeysSaved,
        set_keys,
        'Store the principal\'s own provider keys (sealed; null leaves one, "" removes it); never answers a key',
    )
    router.add(
        contract.KEYS_STATUS, contract.ReadKeysStatus, contract.KeysStatus, status, "Which providers have a key stored"
    )
    router.add(
        contract.KEYS_DELETE,
        contract.DeleteProviderKeys,
        contract.KeysSaved,
        delete,
        "Remove every provider key the principal stored",
    )
