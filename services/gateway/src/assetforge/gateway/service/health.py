"""The gateway's readiness rule: its own checks and every service's answer to a ping,
plus the CDN's state when the media service has one configured (``cdn``, shown but not
required: files are still stored and served without it, and mirrored once it is back)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from assetforge.common.bus.context import RequestContext
from assetforge.common.contracts.common import SERVICES, Ping, Pong, ping_subject
from assetforge.common.contracts.media import STORAGE_HEALTH, StorageHealth, StorageHealthQuery
from assetforge.common.contracts.pipelines import PROVIDERS_GET, CapabilityProviders, ProvidersQuery
from assetforge.common.errors import AppError
from assetforge.common.health import Check, SharedCheck
from assetforge.common.runtime import ServiceRuntime

PROVIDERS_TTL_S = 30.0


class GatewayReadiness:
    """Ready when the gateway's own checks pass and every service says it is ready.

    Each service's ping is a :class:`SharedCheck`: however many probes arrive, at most
    one ping per service is in flight, and its answer is reused briefly. The pings start
    alongside the gateway's own checks, so a probe waits for the slower of the two, never
    for their sum: no longer than ``timeout``.
    """

    def __init__(self, runtime: ServiceRuntime, timeout: float, services: Sequence[str] = SERVICES) -> None:
        self._runtime = runtime
        self._timeout = timeout
        self._pings = {s: SharedCheck(s, self._pinger(s), timeout=timeout) for s in services}
        # Known from the media service's answer: until it answers, no "cdn" is shown.
        self._cdn_configured = False
        self._cdn = SharedCheck("cdn", self._cdn_reachable, timeout=timeout)
        # Which provider each generation capability uses: settled at the service's start,
        # so asked again only every PROVIDERS_TTL_S.
        self._providers: dict[str, str] | None = None
        self._providers_at = float("-inf")

    async def check(self) -> tuple[bool, dict[str, bool]]:
        pings = asyncio.ensure_future(self._ping_all())
        cdn = asyncio.ensure_future(self._cdn())
        try:
            ok, checks = await self._runtime.readiness()
            # Without NATS no service can answer: do not wait for the pings to time out.
            services = await pings if checks.get("nats") else dict.fromkeys(self._pings, False)
            reachable = await cdn if checks.get("nats") else False
            optional = {"cdn": reachable} if self._cdn_configured else {}
        finally:
            # Only this caller's wait ends (a no-op once answered); the shared pings run on.
            pings.cancel()
            cdn.cancel()
        return ok and all(services.values()), {**checks, **services, **optional}

    async def providers(self) -> dict[str, str] | None:
        """The generation service's providers by capability (``offline`` without a key);
        the last answer while it does not answer, None before it ever did."""
        if time.monotonic() - self._providers_at < PROVIDERS_TTL_S:
            return self._providers
        self._providers_at = time.monotonic()
        try:
            answer = await self._runtime.bus.request(
                PROVIDERS_GET,
                ProvidersQuery(),
                CapabilityProviders,
                RequestContext(request_id="readiness"),
                timeout=self._timeout,
            )
        except AppError:  # the service's own ping says whether it is up
            return self._providers
        self._providers = {
            "chat": answer.chat,
            "image": answer.image,
            "imageTo3D": answer.image_to_3d,
            "retexture": answer.retexture,
            "rigging": answer.rigging,
            "audio": answer.audio,
        }
        return self._providers

    async def _ping_all(self) -> dict[str, bool]:
        answers = await asyncio.gather(*(ping() for ping in self._pings.values()))
        return dict(zip(self._pings, answers, strict=True))

    async def _cdn_reachable(self) -> bool:
        try:
            health = await self._runtime.bus.request(
                STORAGE_HEALTH,
                StorageHealthQuery(),
                StorageHealth,
                RequestContext(request_id="readiness"),
                timeout=self._timeout,
            )
        except AppError:  # the media service's own ping says whether it is up
            return False
        self._cdn_configured = health.cdn_configured
        # Unknown (nothing sent to it yet) is not a failure.
        return health.cdn_reachable is not False

    def _pinger(self, service: str) -> Check:
        async def ping() -> bool:
            try:
                pong = await self._runtime.bus.request(
                    ping_subject(service), Ping(), Pong, RequestContext(request_id="readiness"), timeout=self._timeout
                )
            except AppError:  # a timeout or no responder: not ready, and nothing to log
                return False
            return pong.ready

        return ping
