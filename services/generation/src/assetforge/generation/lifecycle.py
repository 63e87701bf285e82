"""The parts of the generation service that need the running bus: the blob store its
files are staged in, the pipeline runner's consumer (with the providers of each job's
owner), and the sweep of expired jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from datetime import UTC, datetime, timedelta

from assetforge.common.blobs import open_blob_store
from assetforge.common.bus.request import BusClient
from assetforge.common.runtime import ServiceRuntime
from assetforge.generation import repository as jobs
from assetforge.generation.metrics import GenerationMetrics
from assetforge.generation.outputs import FileOutputs
from assetforge.generation.providers.owners import OwnerProviders
from assetforge.generation.runner.consumer import RunConsumer
from assetforge.generation.runner.pipeline import PipelineRunner
from assetforge.generation.service.keys import KEY_LIFETIME
from assetforge.generation.settings import GenerationSettings

log = logging.getLogger(__name__)


class GenerationParts:
    def __init__(self, settings: GenerationSettings, providers: OwnerProviders, metrics: GenerationMetrics) -> None:
        self.settings = settings
        self.providers = providers
        self.metrics = metrics
        self.outputs = FileOutputs()
        self._consumer: RunConsumer | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._runtime: ServiceRuntime | None = None

    async def start(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime
        if self.settings.user_keys.development:
            log.warning(
                "PROVIDER_KEYS_SECRET is not set: users' own provider keys are sealed with the fixed development "
                "key, which is not secret (production requires the variable to store keys)"
            )
        store = await open_blob_store(runtime.client.jetstream(), replicas=runtime.nats_settings.stream_replicas)
        bus = BusClient(runtime.client, runtime.metrics, default_timeout=runtime.nats_settings.request_timeout_s)
        self.outputs.open(store, bus)
        runner_id = f"{socket.gethostname()}-{runtime.instance}"
        runner = PipelineRunner(
            runtime.database, self.providers, self.outputs, self.settings.runner, self.metrics, runner_id
        )
        self._consumer = RunConsumer(self.settings.runner, runner, self.metrics)
        await self._consumer.start(runtime)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="generation-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._consumer is not None:
            await self._consumer.stop()
        await self.providers.aclose()
        await self.providers.deployment.aclose()

    async def sweep_once(self) -> int:
        """Remove finished jobs past their retention; free Idempotency-Keys past 24 h."""
        if self._runtime is None:
            return 0
        now = datetime.now(UTC)
        retention = timedelta(days=self.settings.runner.job_retention_days)
        async with self._runtime.database.unit_of_work() as session:
            removed = await jobs.delete_finished(session, now - retention)
            await jobs.forget_old_keys(session, now - KEY_LIFETIME)
        return removed

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.runner.sweep_interval_s)
            try:
                removed = await self.sweep_once()
            except Exception as exc:  # noqa: BLE001 - the next sweep tries again
                log.warning("sweeping expired jobs failed: %s", exc)
                continue
            if removed:
                log.info("removed %d expired jobs", removed)
