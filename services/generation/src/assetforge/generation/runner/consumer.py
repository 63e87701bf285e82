"""The durable consumer of ``cmd.generation.pipeline.run``: one JetStream pull consumer
shared by every replica, explicit acks, at most ``max_concurrent_jobs`` runs at once per
replica. A run that may succeed later is NAKed with a delay; after ``max_deliver``
deliveries its pipeline fails with the reason and a dead-letter event is recorded.

It sits on nats-py directly (not FastStream's PullSub): each message needs its own
task, heartbeats and outcome, and fetching only as many as there are free slots keeps
work with the replicas that can start it (see PITFALLS on PullSub(max_workers)).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import msgspec
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from assetforge.common.bus.streams import COMMANDS
from assetforge.common.contracts.generation import DeadLettered
from assetforge.common.contracts.pipelines import RUN_PIPELINE, RunPipeline
from assetforge.common.runtime import ServiceRuntime
from assetforge.generation.metrics import GenerationMetrics
from assetforge.generation.runner.pipeline import Outcome, PipelineRunner, Retry
from assetforge.generation.settings import RunnerSettings

log = logging.getLogger(__name__)

DURABLE = "generation-pipeline-runner"
_decode = msgspec.json.Decoder(RunPipeline)


class RunConsumer:
    def __init__(self, settings: RunnerSettings, runner: PipelineRunner, metrics: GenerationMetrics) -> None:
        self._settings = settings
        self._runner = runner
        self._metrics = metrics
        self._loop: asyncio.Task[None] | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._freed = asyncio.Event()
        self._stopping = False

    def config(self) -> ConsumerConfig:
        settings = self._settings
        return ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subject=RUN_PIPELINE,
            ack_wait=settings.ack_wait_s,
            max_deliver=settings.max_deliver,
            # Every replica's runs at once, with room: more would only wait unacknowledged.
            max_ack_pending=max(1000, settings.max_concurrent_jobs * 8),
        )

    async def start(self, runtime: ServiceRuntime) -> None:
        js = runtime.client.jetstream()
        subscription = await js.pull_subscribe(RUN_PIPELINE, durable=DURABLE, stream=COMMANDS, config=self.config())
        self._loop = asyncio.create_task(self._fetch_forever(subscription), name="pipeline-runs")

    async def stop(self) -> None:
        """Stop fetching; runs still going are stopped at once and handed back (NAK), so
        another replica resumes them from their records without waiting for ``ack_wait``."""
        self._stopping = True
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.wait(list(self._running), timeout=10)
        if self._subscription is not None:
            # Gone before the connection drains: a drain waits on the inbox of a pull
            # subscription whose fetches ended, and gave up only after its 10 s timeout.
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()

    async def _fetch_forever(self, subscription: JetStreamContext.PullSubscription) -> None:
        failures = 0
        while not self._stopping:
            free = self._settings.max_concurrent_jobs - len(self._running)
            if free <= 0:
                self._freed.clear()
                await self._freed.wait()
                continue
            try:
                messages = await subscription.fetch(batch=free, timeout=5.0)
                failures = 0
            except (NatsTimeout, TimeoutError):
                await self._observe_pending(subscription)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS may be restarting: keep trying
                failures += 1
                log.warning("fetching pipeline runs failed (%d in a row): %s", failures, exc)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            for message in messages:
                task = asyncio.create_task(self._handle(message))
                self._running.add(task)
                task.add_done_callback(self._finished)
            self._metrics.jobs_in_flight.set(len(self._running))

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._metrics.jobs_in_flight.set(len(self._running))
        self._freed.set()

    async def _observe_pending(self, subscription: JetStreamContext.PullSubscription) -> None:
        with contextlib.suppress(Exception):
            info = await subscription.consumer_info()
            self._metrics.consumer_pending.set(info.num_pending or 0)

    async def _handle(self, message: Msg) -> None:
        delivery = message.metadata.num_delivered
        try:
            command = _decode.decode(message.data)
            job_id = uuid.UUID(command.pipeline_id)
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as error:
            await self._dead_letter(message, None, f"unreadable run command: {error}")
            await message.term()
            return
        try:
            outcome = await self._runner.run(job_id, message.in_progress)
        except asyncio.CancelledError:
            # Shutting down: hand the run back at once; its record says where it stood.
            with contextlib.suppress(Exception):
                await message.nak()
            raise
        except Retry as retry:
            await self._again(message, job_id, delivery, retry.reason, retry.delay_s)
            return
        except Exception as error:
            log.exception("pipeline %s failed unexpectedly (delivery %d)", job_id, delivery)
            await self._again(message, job_id, delivery, f"internal error: {type(error).__name__}", None)
            return
        if outcome is Outcome.DONE:
            await message.ack()
        elif outcome is Outcome.BUSY:
            await message.nak(delay=self._settings.ack_wait_s)

    async def _again(self, message: Msg, job_id: uuid.UUID, delivery: int, reason: str, delay: float | None) -> None:
        if delivery >= self._settings.max_deliver:
            log.error("pipeline %s failed on its last delivery (%d): %s", job_id, delivery, reason)
            await self._runner.give_up(job_id, reason, delivery)
            await self._dead_letter(message, str(job_id), reason)
            await message.term()
            return
        wait = delay if delay is not None else min(0.5 * 2**delivery, 60.0)
        log.warning("pipeline %s will be retried in %.1fs (delivery %d): %s", job_id, wait, delivery, reason)
        await message.nak(delay=wait)

    async def _dead_letter(self, message: Msg, pipeline_id: str | None, reason: str) -> None:
        record = DeadLettered(
            subject=message.subject, deliveries=message.metadata.num_delivered, reason=reason, pipeline_id=pipeline_id
        )
        try:
            await self._runner.record_dead_letter(record)
        except Exception as exc:  # noqa: BLE001 - the log line remains
            log.warning("could not record the dead letter of %s: %s", pipeline_id, exc)
