"""A pipeline's Server-Sent Event streams: gateway -> JetStream (an ordered consumer per
stream), carrying the events the real generation service publishes as it runs.

On the session's stack, offline pipelines finish at once: their streams are followed to
the end and replayed. On the slow stack (streams_support.py) they stay in image-to-3D
until cancelled: there, the streams that must stay open.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.gateway import streams_support as sse
from tests.gateway.people import People, people_of
from tests.privy import FakePrivy
from tests.support import RunningService, wait_until

Finished = tuple[People, str, list[sse.Frame]]


@pytest.fixture
async def cast(gateway: httpx.AsyncClient, privy: FakePrivy, database_url: str) -> People:
    return await people_of(gateway, privy, database_url)


@pytest.fixture(scope="module")
async def finished(stack: dict[str, RunningService], privy: FakePrivy, database_url: str) -> Finished:
    """A pipeline run to its end on the session's stack, and its events."""
    async with httpx.AsyncClient(base_url=stack["gateway"].url, timeout=10) as client:
        cast = await people_of(client, privy, database_url)
        pipeline_id = (await sse.submit(client, cast.alice.headers, type="weapon"))["pipelineId"]
        await sse.until_state(client, pipeline_id, cast.alice.headers, "completed")
        return cast, pipeline_id, await sse.events_of(client, pipeline_id, cast.alice.headers)


async def test_a_finished_pipelines_events_are_replayed_in_order_then_the_stream_ends(
    gateway: httpx.AsyncClient, finished: Finished
) -> None:
    cast, pipeline_id, events = finished
    names = [frame.event for frame in events]
    assert (names[0], names[-1]) == ("created", "completed")
    assert "completed" not in names[:-1]
    ids = sse.ids_of(events)
    assert ids == sorted(set(ids))
    for frame in events:
        assert (frame.json()["pipelineId"], frame.json()["status"]["id"]) == (pipeline_id, pipeline_id)
        assert frame.event == "completed" or frame.json()["event"] == frame.event
    assert events[-1].json()["status"]["status"] == "completed"
    # An admin reads it too; the stream's headers.
    async with gateway.stream("GET", sse.EVENTS.format(pipeline_id), headers=cast.admin.headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert (response.headers["cache-control"], response.headers["x-accel-buffering"]) == ("no-cache", "no")
        assert sse.ids_of(await sse.read_all(response)) == ids


async def test_last_event_id_resumes_after_that_event_with_no_gap_and_no_repeat(
    gateway: httpx.AsyncClient, finished: Finished
) -> None:
    cast, pipeline_id, events = finished
    ids, headers = sse.ids_of(events), cast.alice.headers
    for position in (0, len(ids) // 2, len(ids) - 2):
        after = ids[position]
        by_header = await sse.events_of(gateway, pipeline_id, {**headers, "Last-Event-ID": str(after)})
        assert sse.ids_of(by_header) == ids[position + 1 :]
        assert sse.ids_of(await sse.events_of(gateway, pipeline_id, headers, lastEventId=after)) == ids[position + 1 :]
    # A browser resuming a stream opened with ?lastEventId= sends the newer id as the header.
    both = await sse.events_of(gateway, pipeline_id, {**headers, "Last-Event-ID": str(ids[-2])}, lastEventId=ids[0])
    assert sse.ids_of(both) == ids[-1:]
    # Resumed after its terminal event, a finished pipeline's stream has nothing more: it ends.
    assert await sse.events_of(gateway, pipeline_id, {**headers, "Last-Event-ID": str(ids[-1])}) == []
    bad = await gateway.get(sse.EVENTS.format(pipeline_id), headers={**headers, "Last-Event-ID": "x"})
    assert (bad.status_code, [f["field"] for f in bad.json()["fields"]]) == (422, ["Last-Event-ID"])


async def test_the_credential_may_come_as_access_token_and_is_never_logged_or_traced(
    gateway: httpx.AsyncClient, finished: Finished, caplog: pytest.LogCaptureFixture, spans: InMemorySpanExporter
) -> None:
    cast, pipeline_id, events = finished
    token, bobs = (person.headers["Authorization"].removeprefix("Bearer ") for person in (cast.alice, cast.bob))
    url = sse.EVENTS.format(pipeline_id)
    with caplog.at_level(logging.DEBUG):
        resumed = await sse.events_of(gateway, pipeline_id, {}, access_token=token, lastEventId=events[0].id)
        assert sse.ids_of(resumed) == sse.ids_of(events)[1:]
        # Bob's token is a credential, but not one that may read Alice's pipeline.
        assert (await gateway.get(url, params={"access_token": bobs})).status_code == 404
        assert (await gateway.get(url, params={"access_token": "not-a-token"})).status_code == 401
    secrets = (token, bobs, "not-a-token")
    # The server's records (uvicorn's access log among them, when on); not this client's own.
    for record in (r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))):
        text = f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        assert not any(secret in text for secret in secrets), record.getMessage()
    for span in spans.get_finished_spans():
        shown = f"{span.name} {dict(span.attributes or {})!r}"
        assert not any(secret in shown for secret in secrets), shown
    # Only these streams take it: elsewhere it is no credential.
    assert (await gateway.get("/api/generation/pipelines", params={"access_token": token})).status_code == 401


async def test_both_streams_follow_a_pipeline_from_its_start_to_its_end(
    gateway: httpx.AsyncClient, cast: People
) -> None:
    """Past events, then live ones, with nothing lost or repeated where they meet; and the
    original server's stream, readable with the id alone (no credentials)."""
    pipeline_id = (await sse.submit(gateway, cast.alice.headers, type="weapon"))["pipelineId"]

    async def original() -> list[sse.Frame]:
        async with gateway.stream("GET", sse.STATUSES.format(pipeline_id)) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-cache"
            return await sse.read_all(response)

    followed, updates = await asyncio.gather(sse.events_of(gateway, pipeline_id, cast.alice.headers), original())
    replayed = await sse.events_of(gateway, pipeline_id, cast.alice.headers)
    assert followed[-1].event == "completed"
    assert [(f.id, f.event, f.data) for f in followed] == [(f.id, f.event, f.data) for f in replayed]
    assert {(frame.event, frame.id) for frame in updates} == {("pipeline-update", None)}
    statuses = [frame.json() for frame in updates]
    assert {status["id"] for status in statuses} == {pipeline_id}
    assert [status["status"] == "completed" for status in statuses][-2:] == [False, True]
    for field in ("updatedAt", "progress"):
        assert [status[field] for status in statuses] == sorted(status[field] for status in statuses)
    assert all(a.data != b.data for a, b in itertools.pairwise(updates)), "a status was sent twice"
    # After the first, each is the status an event carried, in the events' order, the last one's last.
    carried = [frame.json()["status"] for frame in replayed]
    assert statuses[-1] == carried[-1]
    remaining = iter(carried)
    assert all(any(status == other for other in remaining) for status in statuses[1:])
    # Once finished: its final status, then the end (another user's credentials serve as well).
    async with gateway.stream("GET", sse.STATUSES.format(pipeline_id), headers=cast.bob.headers) as again:
        final = await sse.read_all(again)
    assert [frame.json() for frame in final] == [await sse.status_of(gateway, pipeline_id, cast.alice.headers)]
    assert (await gateway.get(sse.STATUSES.format("00000000-0000-4000-8000-000000000000"))).status_code == 404


# The slow stack: streams that stay open.


slow = pytest.fixture(scope="module", name="slow")(sse.slow_stack)
client = pytest.fixture(name="client")(sse.slow_client)


@pytest.fixture
async def alice(client: httpx.AsyncClient, privy: FakePrivy, slow: sse.SlowStack) -> dict[str, str]:
    return (await people_of(client, privy, slow.database_url)).alice.headers


async def test_past_events_then_live_ones_then_the_end_after_the_terminal_one(
    slow: sse.SlowStack, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    status = await sse.running(client, alice)
    pipeline_id = status["id"]
    async with client.stream("GET", sse.EVENTS.format(pipeline_id), headers=alice) as response:
        reader = sse.frames(response)
        assert (await anext(reader)).comment == sse.CONNECTED
        seen = [await sse.next_message(reader)]
        while not (seen[-1].event == "stage_started" and seen[-1].json().get("stage") == sse.IMAGE_3D):
            seen.append(await sse.next_message(reader))
        live = sse.stamped(status, progress=97, at=datetime.now(UTC))
        sequence, published = await slow.publish(pipeline_id, "progress", live)
        while seen[-1].id != sequence:
            seen.append(await sse.next_message(reader))
        assert (seen[-1].event, seen[-1].data) == ("progress", published.decode())
        await sse.cancel(client, pipeline_id, alice)
        while seen[-1].event != "cancelled":
            seen.append(await sse.next_message(reader))
        assert [frame async for frame in reader if frame.comment is None] == []
    assert seen[0].event == "created"
    assert sse.ids_of(seen) == sorted(sse.ids_of(seen))
    assert sse.ids_of(await sse.events_of(client, pipeline_id, alice)) == sse.ids_of(seen)


async def test_a_running_pipeline_is_cancelled_then_retried(client: httpx.AsyncClient, alice: dict[str, str]) -> None:
    """Cancel answers at once (the runner stops at its next safe point); the events tell the
    rest, and a stream resumed after the cancelled event follows the retried run."""
    pipeline_id = (await sse.running(client, alice))["id"]
    cancelling = await client.post(f"/api/generation/pipeline/{pipeline_id}/cancel", headers=alice)
    assert (cancelling.status_code, cancelling.json()["id"]) == (200, pipeline_id)
    first_run = await sse.events_of(client, pipeline_id, alice)
    assert first_run[-1].event == "cancelled"
    assert (await sse.status_of(client, pipeline_id, alice))["status"] == "cancelled"
    retried = await client.post(f"/api/generation/pipeline/{pipeline_id}/retry", headers=alice)
    assert (retried.status_code, retried.json()["status"]) == (200, "queued")
    resumed = {**alice, "Last-Event-ID": str(first_run[-1].id)}
    async with client.stream("GET", sse.EVENTS.format(pipeline_id), headers=resumed) as response:
        reader = sse.frames(response)
        assert (await sse.next_message(reader)).json()["status"]["status"] == "queued"
        await sse.cancel(client, pipeline_id, alice)
        second_run = [frame async for frame in reader if frame.comment is None]
    assert second_run[-1].event == "cancelled"
    assert min(sse.ids_of(second_run)) > sse.ids_of(first_run)[-1]
    # From the start, the replay goes past the first run's end to the second's.
    everything = await sse.events_of(client, pipeline_id, alice)
    assert [frame.event for frame in everything].count("cancelled") == 2
    assert sse.ids_of(everything)[-1] == sse.ids_of(second_run)[-1]


async def test_the_original_status_stream_sends_each_change_once_and_nothing_older(
    slow: sse.SlowStack, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    status = await sse.running(client, alice)
    pipeline_id = status["id"]
    async with client.stream("GET", sse.STATUSES.format(pipeline_id)) as response:
        reader = sse.frames(response)
        first = await sse.next_message(reader)
        assert first.event == "pipeline-update"
        assert (first.json()["status"], first.json()["stages"][sse.IMAGE_3D]["status"]) == ("processing", "processing")
        # Older than what the stream showed first (an outbox late to relay it): never sent.
        stale = sse.stamped(status, progress=3, at=datetime.fromisoformat(status["updatedAt"]) - timedelta(seconds=5))
        await slow.publish(pipeline_id, "progress", stale)
        newer = sse.stamped(status, progress=97, at=datetime.now(UTC) + timedelta(seconds=1))
        _, published = await slow.publish(pipeline_id, "progress", newer)
        await slow.publish(pipeline_id, "progress", newer)  # the same status again: not sent twice
        # The runner's own changes may come first; each is sent once, none is the stale one.
        sent = [first]
        while sent[-1].data != json.dumps(json.loads(published)["status"]):
            sent.append(await sse.next_message(reader))
        await sse.cancel(client, pipeline_id, alice)
        sent += [frame async for frame in reader if frame.comment is None]
    statuses: list[dict[str, Any]] = [frame.json() for frame in sent]
    assert statuses[-1]["status"] == "cancelled"
    assert [s["progress"] for s in statuses].count(97) == 1
    assert all(s["progress"] != 3 for s in statuses)
    assert all(a.data != b.data for a, b in itertools.pairwise(sent)), "a status was sent twice"


async def test_consumers_and_places_are_given_back_when_streams_end_or_clients_leave(
    slow: sse.SlowStack, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    pipeline_id = (await sse.running(client, alice))["id"]
    before = await slow.consumers()
    events = client.stream("GET", sse.EVENTS.format(pipeline_id), headers=alice)
    async with events as one, client.stream("GET", sse.STATUSES.format(pipeline_id)) as two:
        readers = sse.frames(one), sse.frames(two)  # kept: a reader dropped early closes its connection
        assert (await anext(readers[0])).comment == sse.CONNECTED
        # Heartbeats every 0.2 s on this gateway (SSE_HEARTBEAT_S), on both: after the replay,
        # and after the current status.
        assert await sse.beats(readers[0], 2) > 0
        assert await sse.beats(readers[1], 2) == 1
        await wait_until(lambda: slow.has_consumers(before + 2))
        assert await slow.holds(2)
    # Both clients left mid-stream.
    await wait_until(lambda: slow.has_consumers(before))
    assert await slow.holds(0)
    # And a stream that ends by itself, after the terminal event.
    async with client.stream("GET", sse.EVENTS.format(pipeline_id), headers=alice) as three:
        reader = sse.frames(three)
        assert (await anext(reader)).comment == sse.CONNECTED
        await sse.cancel(client, pipeline_id, alice)
        assert [f.event async for f in reader if f.comment is None][-1] == "cancelled"
    await wait_until(lambda: slow.has_consumers(before))
    assert await slow.holds(0)


async def test_streams_beyond_the_limit_are_refused_with_503(
    slow: sse.SlowStack, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    pipeline_id = (await sse.running(client, alice))["id"]
    url = sse.EVENTS.format(pipeline_id)
    opened = [client.stream("GET", url, headers=alice) for _ in range(sse.SLOW_MAX_STREAMS)]
    readers = [sse.frames(await stream.__aenter__()) for stream in opened]  # kept, as above
    try:
        for reader in readers:
            assert (await anext(reader)).comment == sse.CONNECTED
        refused = await client.get(url, headers=alice)
        assert (refused.status_code, refused.json()["error"]) == (503, "SERVICE_UNAVAILABLE")
        assert (await client.get(sse.STATUSES.format(pipeline_id))).status_code == 503
        await opened.pop().__aexit__(None, None, None)
        await wait_until(lambda: slow.holds(sse.SLOW_MAX_STREAMS - 1))
        async with client.stream("GET", url, headers=alice) as again:
            assert again.status_code == 200
    finally:
        for stream in opened:
            await stream.__aexit__(None, None, None)
    await sse.cancel(client, pipeline_id, alice)


async def test_losing_nats_ends_a_stream_cleanly(
    slow: sse.SlowStack, client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    """Last in this module: NATS is stopped, then started again under the slow stack."""
    pipeline_id = (await sse.running(client, alice))["id"]
    async with client.stream("GET", sse.EVENTS.format(pipeline_id), headers=alice) as response:
        reader = sse.frames(response)
        assert (await anext(reader)).comment == sse.CONNECTED
        slow.nats.stop()
        try:
            rest = [frame async for frame in reader]  # it ends, and reading it raises nothing
        finally:
            slow.nats.start()
    assert all(frame.event != "cancelled" for frame in rest)
    await wait_until(lambda: slow.holds(0))
