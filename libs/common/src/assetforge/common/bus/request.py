"""The typed request helper: explicit timeouts, error replies and timeouts as exceptions."""

from __future__ import annotations

import time
from typing import TypeVar

import msgspec
from nats.aio.client import Client
from nats.errors import ConnectionClosedError, NoRespondersError, OutboundBufferLimitError
from nats.errors import TimeoutError as NatsTimeout
from opentelemetry.trace import SpanKind

from assetforge.common.bus.codec import encoder
from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts import headers as h
from assetforge.common.contracts.errors import ErrorReply
from assetforge.common.errors import GatewayTimeout, InternalError, ServiceUnavailable, from_reply
from assetforge.common.observability.metrics import BusMetrics
from assetforge.common.observability.tracing import inject_headers, tracer, tracing_enabled

T = TypeVar("T")


class BusClient:
    """Sends requests to other services and turns every failure into an AppError."""

    def __init__(self, client: Client, metrics: BusMetrics, *, default_timeout: float) -> None:
        self._client = client
        self._metrics = metrics
        self._default_timeout = default_timeout
        self._traced = tracing_enabled()

    async def request(
        self,
        subject: str,
        message: msgspec.Struct,
        reply_type: type[T],
        context: RequestContext,
        *,
        timeout: float | None = None,
    ) -> T:
        data = await self.request_raw(subject, message, context, timeout=timeout)
        try:
            return msgspec.json.decode(data, type=reply_type)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            raise InternalError(f"malformed reply from {subject}") from error

    async def request_raw(
        self, subject: str, message: msgspec.Struct, context: RequestContext, *, timeout: float | None = None
    ) -> bytes:
        """The reply's bytes, for a caller that passes them on without decoding."""
        headers = context.to_headers()
        if self._traced:
            with tracer().start_as_current_span(
                f"{subject} send",
                kind=SpanKind.CLIENT,
                attributes={"messaging.system": "nats", "messaging.destination.name": subject},
            ):
                return await self._send(subject, encoder.encode(message), inject_headers(headers), timeout)
        return await self._send(subject, encoder.encode(message), headers, timeout)

    async def _send(self, subject: str, payload: bytes, headers: dict[str, str], timeout: float | None) -> bytes:
        service = subject.split(".", 1)[0]
        if not self._client.is_connected:
            # Fail at once instead of queueing behind a reconnect until the timeout.
            self._observe(subject, "disconnected", 0.0)
            raise ServiceUnavailable("the message bus is not reachable")
        started = time.perf_counter()
        try:
            reply = await self._client.request(
                subject, payload, timeout=timeout or self._default_timeout, headers=headers
            )
        except NoRespondersError as error:
            self._observe(subject, "no_responders", time.perf_counter() - started)
            raise ServiceUnavailable(f"the {service} service is not available") from error
        except NatsTimeout as error:
            self._observe(subject, "timeout", time.perf_counter() - started)
            raise GatewayTimeout(f"the {service} service did not answer in time") from error
        except (ConnectionClosedError, OutboundBufferLimitError) as error:
            self._observe(subject, "disconnected", time.perf_counter() - started)
            raise ServiceUnavailable("the message bus is not reachable") from error
        if reply.headers and reply.headers.get(h.STATUS) == h.STATUS_ERROR:
            self._observe(subject, "error", time.perf_counter() - started)
            raise from_reply(msgspec.json.decode(reply.data, type=ErrorReply))
        self._observe(subject, "ok", time.perf_counter() - started)
        return reply.data

    def _observe(self, subject: str, outcome: str, seconds: float) -> None:
        self._metrics.request_duration.labels(subject, outcome).observe(seconds)
