"""Request/reply: typed errors, validation, timeouts and a drain that finishes its work."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from nats.aio.client import Client

from assetforge.common.bus.context import Principal, RequestContext
from assetforge.common.bus.request import BusClient
from assetforge.common.bus.rpc import RpcRouter, RpcServer
from assetforge.common.contracts.errors import ErrorCode
from assetforge.common.errors import Conflict, GatewayTimeout, InternalError, ServiceUnavailable
from assetforge.common.ids import new_id
from assetforge.common.observability.metrics import make_bus_metrics, make_registry


class Echo(msgspec.Struct, rename="camel"):
    text: str
    delay_ms: int = 0


class Echoed(msgspec.Struct):
    text: str
    user: str | None
    request_id: str


@pytest.fixture
async def echo(nc: Client) -> tuple[str, RpcServer, BusClient]:
    prefix = f"test{new_id()[-8:]}"
    router = RpcRouter()

    async def answer(request: Echo, context: RequestContext) -> Echoed:
        await asyncio.sleep(request.delay_ms / 1000)
        if request.text == "conflict":
            raise Conflict("already there")
        if request.text == "crash":
            raise RuntimeError("database password is hunter2")
        user = context.principal.user_id if context.principal else None
        return Echoed(text=request.text, user=user, request_id=context.request_id)

    router.add(f"{prefix}.v1.echo", Echo, Echoed, answer)
    metrics = make_bus_metrics(make_registry())
    server = RpcServer(nc, router, queue=prefix, metrics=metrics)
    await server.start()
    return f"{prefix}.v1.echo", server, BusClient(nc, metrics, default_timeout=2)


async def test_a_reply_carries_the_principal_and_request_id(echo: tuple[str, RpcServer, BusClient]) -> None:
    subject, _, bus = echo
    context = RequestContext(request_id="rid-1", principal=Principal("did:privy:u1", "member"))
    reply = await bus.request(subject, Echo(text="hi"), Echoed, context)
    assert reply == Echoed(text="hi", user="did:privy:u1", request_id="rid-1")


async def test_a_domain_error_arrives_as_the_same_type(echo: tuple[str, RpcServer, BusClient]) -> None:
    subject, _, bus = echo
    with pytest.raises(Conflict, match="already there"):
        await bus.request(subject, Echo(text="conflict"), Echoed, RequestContext("r"))


async def test_an_unexpected_error_hides_its_details(echo: tuple[str, RpcServer, BusClient]) -> None:
    subject, _, bus = echo
    with pytest.raises(InternalError) as raised:
        await bus.request(subject, Echo(text="crash"), Echoed, RequestContext("r"))
    assert "hunter2" not in raised.value.message


async def test_an_invalid_request_names_the_field(echo: tuple[str, RpcServer, BusClient], nc: Client) -> None:
    subject, _, _ = echo
    reply = await nc.request(subject, b'{"text": 5}', timeout=2)
    error = msgspec.json.decode(reply.data)
    assert reply.headers == {"Af-Status": "error"}
    assert error["code"] == ErrorCode.VALIDATION_ERROR
    assert error["fields"][0]["field"] == "text"


async def test_a_slow_answer_is_a_timeout(echo: tuple[str, RpcServer, BusClient]) -> None:
    subject, _, bus = echo
    with pytest.raises(GatewayTimeout):
        await bus.request(subject, Echo(text="slow", delay_ms=500), Echoed, RequestContext("r"), timeout=0.1)


async def test_nobody_listening_is_unavailable(nc: Client) -> None:
    bus = BusClient(nc, make_bus_metrics(make_registry()), default_timeout=1)
    with pytest.raises(ServiceUnavailable):
        await bus.request("nobody.v1.home", Echo(text="x"), Echoed, RequestContext("r"))


async def test_drain_finishes_accepted_requests_and_takes_no_new_ones(
    echo: tuple[str, RpcServer, BusClient],
) -> None:
    subject, server, bus = echo
    in_flight = [
        asyncio.create_task(bus.request(subject, Echo(text=str(i), delay_ms=300), Echoed, RequestContext("r")))
        for i in range(20)
    ]
    await asyncio.sleep(0.1)  # accepted and running
    await server.drain()
    answers = await asyncio.gather(*in_flight)
    assert [a.text for a in answers] == [str(i) for i in range(20)]
    with pytest.raises(ServiceUnavailable):
        await bus.request(subject, Echo(text="late"), Echoed, RequestContext("r"))
