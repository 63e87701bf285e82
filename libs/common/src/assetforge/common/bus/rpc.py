"""Request/reply handlers on core NATS, one queue group per service.

This is the hot path (every catalog query crosses it), so it sits directly on the
nats-py client: one task per message, bounded, with msgspec decoding into the
declared request type. Measured on this project's hardware, FastStream's subscriber
cost several times more per message (see docs/decisions.md). Durable JetStream
consumers, where per-message overhead matters less, use FastStream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from opentelemetry.trace import SpanKind

from assetforge.common.bus.codec import decode, encoder
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts import headers as h
from assetforge.common.errors import AppError, InternalError
from assetforge.common.observability.context import request_id_var
from assetforge.common.observability.metrics import BusMetrics
from assetforge.common.observability.tracing import extract_context, tracer, tracing_enabled

log = logging.getLogger(__name__)

Req = TypeVar("Req")
Rep = TypeVar("Rep")
Handler = Callable[[Any, RequestContext], Awaitable[Any]]
_ERROR_HEADERS = {h.STATUS: h.STATUS_ERROR}


@dataclass(frozen=True, slots=True)
class Endpoint:
    subject: str
    request_type: type[Any]
    reply_type: type[Any]
    handler: Handler
    summary: str


class RpcRouter:
    """Collects a service's request/reply endpoints (and documents them)."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def add(
        self,
        subject: str,
        request_type: type[Req],
        reply_type: type[Rep],
        handler: Callable[[Req, RequestContext], Awaitable[Rep]],
        summary: str = "",
    ) -> None:
        if any(e.subject == subject for e in self.endpoints):
            raise ValueError(f"{subject} is already handled")
        self.endpoints.append(Endpoint(subject, request_type, reply_type, handler, summary or subject))


class RpcServer:
    """Serves a router's endpoints until drained."""

    def __init__(
        self, client: Client, router: RpcRouter, *, queue: str, metrics: BusMetrics, max_in_flight: int = 256
    ) -> None:
        self._client = client
        self._router = router
        self._queue = queue
        self._metrics = metrics
        self._slots = asyncio.Semaphore(max_in_flight)
        self._subscriptions: list[Subscription] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._traced = False
        self._observers: dict[tuple[str, str], Any] = {}

    async def start(self) -> None:
        self._traced = tracing_enabled()
        for endpoint in self._router.endpoints:
            subscription = await self._client.subscribe(
                endpoint.subject, queue=self._queue, cb=self._dispatcher(endpoint)
            )
            self._subscriptions.append(subscription)

    async def drain(self, timeout: float = 10.0) -> None:
        """Stop taking requests, then answer every one already received.

        A drain (not a plain unsubscribe) also hands over the requests NATS had already
        sent to this process but the subscription had not yet dispatched; dropped, their
        requesters would wait for a timeout instead of an answer.
        """
        results = await asyncio.gather(
            # nats-py leaves drain() unannotated.
            *(subscription.drain() for subscription in self._subscriptions),  # type: ignore[no-untyped-call]
            return_exceptions=True,
        )
        for failure in (r for r in results if isinstance(r, Exception)):
            log.debug("draining a subscription failed: %s", failure)  # a closed connection has nothing to drain
        self._subscriptions.clear()
        if self._in_flight:
            _, pending = await asyncio.wait(self._in_flight, timeout=timeout)
            if pending:
                log.warning("%d requests still running after %.0fs of shutdown", len(pending), timeout)

    def _dispatcher(self, endpoint: Endpoint) -> Callable[[Msg], Awaitable[None]]:
        async def dispatch(msg: Msg) -> None:
            # Waiting here pushes back on the subscription instead of growing tasks.
            await self._slots.acquire()
            task = asyncio.create_task(self._handle(endpoint, msg))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)

        return dispatch

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slots.release()

    async def _handle(self, endpoint: Endpoint, msg: Msg) -> None:
        started = time.perf_counter()
        context = RequestContext.from_headers(msg.headers)
        request_id_var.set(context.request_id)
        if self._traced:
            with tracer().start_as_current_span(
                f"{endpoint.subject} process",
                context=extract_context(msg.headers),
                kind=SpanKind.SERVER,
                attributes={"messaging.system": "nats", "messaging.destination.name": endpoint.subject},
            ):
                outcome = await self._answer(endpoint, msg, context)
        else:
            outcome = await self._answer(endpoint, msg, context)
        self._observe(endpoint.subject, outcome, time.perf_counter() - started)

    async def _answer(self, endpoint: Endpoint, msg: Msg, context: RequestContext) -> str:
        headers: dict[str, str] | None = None
        try:
            request = decode(msg.data, endpoint.request_type)
            reply = await endpoint.handler(request, context)
            body = reply if isinstance(reply, bytes) else encoder.encode(reply)
            outcome = "ok"
        except AppError as error:
            body, headers, outcome = encoder.encode(error.to_reply()), _ERROR_HEADERS, error.code.value
        except Exception:
            log.exception("unhandled error answering %s", endpoint.subject)
            hidden = InternalError("internal error")
            body, headers, outcome = encoder.encode(hidden.to_reply()), _ERROR_HEADERS, hidden.code.value
        if msg.reply:
            try:
                await self._client.publish(msg.reply, body, headers=headers)
            except Exception as exc:  # noqa: BLE001 - the requester will time out; nothing else to do
                log.warning("could not reply on %s: %s", endpoint.subject, exc)
        return outcome

    def _observe(self, subject: str, outcome: str, seconds: float) -> None:
        key = (subject, outcome)
        observer = self._observers.get(key)
        if observer is None:
            observer = self._observers[key] = self._metrics.rpc_duration.labels(subject, outcome)
        observer.observe(seconds)
