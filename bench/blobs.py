"""Micro-benchmark: the JetStream blob store's put and read throughput.

``python3 -m uv run --frozen python bench/blobs.py [--repeat 3] [--concurrency 64]``
starts its own ``nats-server`` (``assetforge.common.devstack.EmbeddedNats``, temporary
store, file storage, one replica) and measures, from one Python process on one
connection:

- ``put`` of a 20 MB and a 100 MB object (pieces of 64 KiB, as an HTTP body arrives);
- ``read`` of the same objects, whole (digest checked);
- ``range`` of the last MiB of the 100 MB object (the consumer starts at its chunk);
- ``concurrent reads``: ``--concurrency`` tasks reading one 200 KB object, reads/s;
- nats-py's own ``ObjectStore.get`` of the 20 MB object, for comparison.

Figures are the best of ``--repeat`` runs. The machine's CPUs are shared, so they are
indicative: what matters is their order of magnitude and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import nats

from assetforge.common.blobs import MEDIA, ByteRange, JetStreamBlobStore, open_blob_store
from assetforge.common.devstack import EmbeddedNats

MB = 1_000_000
PIECE = 64 * 1024


async def source(data: bytes) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for i in range(0, len(data), PIECE):
        yield bytes(view[i : i + PIECE])


async def drain(it: AsyncIterator[bytes]) -> int:
    return sum([len(piece) async for piece in it])


async def best(repeat: int, run: Callable[[], Awaitable[object]]) -> float:
    """The shortest of ``repeat`` runs of ``run``, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return min(times)


async def throughput(store: JetStreamBlobStore, size: int, repeat: int) -> None:
    data = os.urandom(size)
    name = f"bench/{size}"

    async def put_and_forget() -> None:
        info = await store.put(MEDIA, source(data))
        await store.delete(MEDIA, info.name)  # counted: purging is part of a put's cost

    put_s = await best(repeat, put_and_forget)
    await store.put(MEDIA, source(data), name=name)
    read_s = await best(repeat, lambda: drain(store.read(MEDIA, name)))
    print(f"{size // MB:>4} MB  put {size / put_s / MB:7.1f} MB/s   read {size / read_s / MB:7.1f} MB/s")
    if size >= 100 * MB:
        window = ByteRange(size - 1024 * 1024, size - 1)
        range_s = await best(repeat, lambda: drain(store.read(MEDIA, name, window)))
        print(f"        range (last MiB) {range_s * 1000:6.1f} ms")


async def concurrent_reads(store: JetStreamBlobStore, concurrency: int, duration: float) -> None:
    name = "bench/small"
    await store.put(MEDIA, source(os.urandom(200_000)), name=name)
    done = 0
    deadline = time.perf_counter() + duration

    async def reader() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await drain(store.read(MEDIA, name))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    print(f"{concurrency} concurrent reads of 200 KB: {done / elapsed:7.0f} reads/s ({done} in {elapsed:.1f} s)")


async def nats_py_get(js: nats.js.JetStreamContext, repeat: int) -> None:
    size = 20 * MB
    obs = await js.object_store(MEDIA)
    await obs.put("bench/nats-py", os.urandom(size))
    get_s = await best(repeat, lambda: obs.get("bench/nats-py"))
    print(f"  20 MB  nats-py ObjectStore.get {size / get_s / MB:7.1f} MB/s")


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="blob-bench-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats").start()
        try:
            nc = await nats.connect(server.url)
            js = nc.jetstream()
            store = await open_blob_store(js, replicas=1)
            print("JetStream blob store (indicative: shared CPUs, loopback, file storage, R1)")
            for size in (20 * MB, 100 * MB):
                await throughput(store, size, args.repeat)
            await concurrent_reads(store, args.concurrency, args.duration)
            if not args.skip_nats_py:
                await nats_py_get(js, 1)
            await nc.close()
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of concurrent reads")
    parser.add_argument("--skip-nats-py", action="store_true", help="skip the slow nats-py comparison")
    asyncio.run(main(parser.parse_args()))
