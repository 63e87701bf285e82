"""``make bench-media``: files through the gateway, streamed from and into the blob store.

Starts NATS, PostgreSQL and the four services the way bench/run.py does, stores a 20 MB
GLB and a 200 KB thumbnail under a public asset, then measures:

1. the GLB downloaded whole, by wrk at a few connections: MB/s (target >= 300);
2. the thumbnail at 64 connections (wrk -c64), anonymous, so every request also asks
   who may read the asset (answered from the gateway's short cache): requests/s
   (target >= 2,000);
3. 100 MB model uploads, as the raw body and as a multipart form, from a plain socket
   so the client costs little CPU: MB/s (target >= 100) and the gateway's peak RSS
   growth over all of them (/proc VmHWM, target < 64 MB).

See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import nats
from harness import (
    RESULTS,
    Harness,
    Process,
    cpu_busy_share,
    machine_info,
    migrate,
    open_database,
    say,
    service_env,
    show_service_output,
    start_nats,
    start_services,
    wait_for,
)
from loadgen import Load, WrkResult, run_wrk, write_script, wrk_binary
from media_report import MB, render

from assetforge.common.blobs import GDD_ASSETS, open_blob_store
from assetforge.common.contracts import headers
from assetforge.common.contracts.assets import ASSET_CREATE
from assetforge.gateway.auth.devmode import mint_token

MODEL_BYTES = 20 * MB
THUMB_BYTES = 200 * 1024
# 100 MB: a form around it stays under the gateway's MAX_REQUEST_BODY_MB (100 MiB).
UPLOAD_BYTES = 100_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/media.py", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk scenario (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="unrecorded seconds before each (default 2)")
    parser.add_argument("--download-connections", type=int, default=4, help="wrk connections on the GLB (default 4)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections on the thumbnail (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--uploads", type=int, default=3, help="100 MB uploads of each form, in turn (default 3)")
    return parser.parse_args()


# --- what is served ------------------------------------------------------------------


async def _pieces(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def seed(nats_url: str) -> dict[str, str]:
    """A public asset with a 20 MB model (content-addressed name) and a 200 KB thumbnail."""
    client = await nats.connect(nats_url)
    try:
        body = msgspec.json.encode({"name": "bench blade", "type": "weapon", "visibility": "public"})
        reply = await client.request(
            ASSET_CREATE, body, timeout=10, headers={headers.USER_ID: "bench-user", headers.REQUEST_ID: "bench"}
        )
        asset_id = str(msgspec.json.decode(reply.data)["id"])
        store = await open_blob_store(client.jetstream())
        model, thumb = os.urandom(MODEL_BYTES), os.urandom(THUMB_BYTES)
        digest = hashlib.sha256(model).hexdigest()
        await store.put(GDD_ASSETS, _pieces(model), name=f"{asset_id}/{digest}.glb", content_type="model/gltf-binary")
        await store.put(GDD_ASSETS, _pieces(thumb), name=f"{asset_id}/thumbnail.png", content_type="image/png")
    finally:
        await client.close()
    return {"model": f"/gdd-assets/{asset_id}/{digest}.glb", "thumbnail": f"/gdd-assets/{asset_id}/thumbnail.png"}


# --- uploads -------------------------------------------------------------------------


def glb_head(size: int) -> bytes:
    """A binary glTF's header and JSON chunk, and the header of a BIN chunk of zeros
    that fills the file to ``size`` bytes (the length is padded with spaces, so the
    JSON's own length is known before it is written)."""
    placeholder = "9" * 10
    document = {"asset": {"version": "2.0", "generator": f"bench {uuid.uuid4()}"}, "buffers": [{"byteLength": 0}]}
    text = json.dumps(document).replace('"byteLength": 0', f'"byteLength": {placeholder}')
    json_length = len(text) + -len(text) % 4
    bin_length = size - 12 - 8 - json_length - 8
    chunk = text.replace(placeholder, f"{bin_length:>10}").encode().ljust(json_length)
    return (
        (b"glTF" + (2).to_bytes(4, "little") + size.to_bytes(4, "little"))
        + (len(chunk).to_bytes(4, "little") + b"JSON" + chunk)
        + (bin_length.to_bytes(4, "little") + b"BIN\x00")
    )


def memory(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            found[name] = int(value.split()[0]) * 1024
    return found


BOUNDARY = "bench-media-boundary"


def framing(*, multipart: bool) -> tuple[bytes, bytes, str]:
    """What goes before and after the model, and the request's Content-Type."""
    if not multipart:
        return b"", b"", "model/gltf-binary"
    opening = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.glb"\r\n'
        "Content-Type: model/gltf-binary\r\n\r\n"
    )
    closing = f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmodel\r\n--{BOUNDARY}--\r\n'
    return opening.encode(), closing.encode(), f"multipart/form-data; boundary={BOUNDARY}"


async def upload(base_url: str, token: str, size: int, *, multipart: bool = False) -> tuple[float, int, bytes]:
    """Seconds from the first byte sent to the answer, its status, and its body: the
    model as the raw body, or as the ``file`` part of a form (as browsers send it)."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = glb_head(size)
    opening, closing, content_type = framing(multipart=multipart)
    request = (
        f"POST /api/media/uploads?kind=model&fileName=bench.glb HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(opening) + size + len(closing)}\r\nConnection: close\r\n\r\n"
    ).encode()
    zeros = bytes(MB)
    started = time.perf_counter()
    writer.write(request + opening + head)
    left = size - len(head)
    while left > 0:
        writer.write(zeros[: min(MB, left)])
        left -= min(MB, left)
        await writer.drain()
    writer.write(closing)
    answer = await reader.read()
    seconds = time.perf_counter() - started
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return seconds, int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def measure_uploads(base_url: str, token: str, gateway: Process, count: int) -> dict[str, Any]:
    pid = gateway.popen.pid
    # The first upload loads what the route needs; that is not the upload's cost.
    asyncio.run(upload(base_url, token, MB))
    before = memory(pid)
    reset = True
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS
    except OSError:
        reset = False
    rates: dict[str, list[float]] = {"raw": [], "multipart": []}
    for form, found in rates.items():
        for index in range(count):
            seconds, status, body = asyncio.run(upload(base_url, token, UPLOAD_BYTES, multipart=form == "multipart"))
            if status != 201:
                raise RuntimeError(f"{form} upload {index + 1} answered {status}: {body[:300]!r}")
            found.append(UPLOAD_BYTES / MB / seconds)
            say(f"{form} upload {index + 1}: {UPLOAD_BYTES:,} bytes in {seconds:.2f} s = {found[-1]:.0f} MB/s")
    after = memory(pid)
    growth = after["VmHWM"] - (before["VmRSS"] if reset else before["VmHWM"])
    say(f"gateway RSS {before['VmRSS'] / MB:.1f} MB before, peak {after['VmHWM'] / MB:.1f} MB during the uploads")
    return {
        "mb_per_s": rates,
        "median_mb_per_s": {form: statistics.median(found) for form, found in rates.items()},
        "rss_before_mb": before["VmRSS"] / MB,
        "rss_peak_mb": after["VmHWM"] / MB,
        "rss_growth_mb": growth / MB,
        "peak_reset": reset,
    }


# --- the run -------------------------------------------------------------------------


def wrk_row(result: WrkResult) -> dict[str, float]:
    return {
        "requests_per_s": result.requests_per_s,
        "mb_per_s": result.bytes_read / MB / result.seconds if result.seconds else 0.0,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "non_2xx": result.non_2xx,
        "socket_errors": result.socket_errors,
    }


def run(harness: Harness, options: argparse.Namespace, binary: str) -> dict[str, Any]:
    busy = cpu_busy_share()
    nats_server = start_nats(harness)
    database_url, database = open_database(harness, None)
    keys = harness.workdir / "dev-auth"
    env = {**service_env(nats_server.url, database_url), "AUTH_MODE": "dev", "DEV_AUTH_DIR": str(keys)}
    migrate(harness, env)
    base, services = start_services(harness, env)
    wait_for(f"{base}/api/health/ready", services)
    token = mint_token(keys, "assetforge-dev", role="member", user="bench")
    paths = asyncio.run(seed(nats_server.url))
    say(f"stored a {MODEL_BYTES // MB} MB model and a {THUMB_BYTES // 1024} KB thumbnail")
    script = write_script(harness.workdir)
    rows: dict[str, dict[str, float]] = {}
    for name, path, connections in (
        ("download 20 MB GLB", paths["model"], options.download_connections),
        ("thumbnail 200 KB", paths["thumbnail"], options.connections),
    ):
        threads = min(options.threads, connections)
        if options.warmup:
            run_wrk(binary, script, base + path, Load(connections, threads, options.warmup, 10))
        result = run_wrk(binary, script, base + path, Load(connections, threads, options.duration, 10))
        rows[name] = {**wrk_row(result), "connections": connections}
        say(
            f"{name}: {rows[name]['requests_per_s']:,.1f} req/s, {rows[name]['mb_per_s']:,.0f} MB/s, "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}"
        )
    gateway = next(p for p in services if p.name == "gateway")
    uploads = measure_uploads(base, token, gateway, options.uploads)
    return {
        "timestamp": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "wrk": {"threads": options.threads, "duration_s": options.duration, "warmup_s": options.warmup},
        "downloads": rows,
        "uploads": uploads,
        "database": database,
        "machine": machine_info(binary),
        "cpu_busy_before_start": None if busy is None else round(busy, 3),
        "service_log_lines": harness.log_line_counts(),
    }


def main() -> int:
    options = parse_args()
    binary = wrk_binary()
    if binary is None:
        print("install wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="af-bench-media-") as workdir, contextlib.ExitStack() as cleanup:
        harness = Harness(Path(workdir), cleanup)
        try:
            results = run(harness, options, binary)
        except KeyboardInterrupt:
            say("interrupted; stopping everything")
            return 130
        except Exception:
            say("failed; the output of what was started follows, then the error")
            harness.show_logs()
            raise
        show_service_output(harness)
    report = render(results)
    print()
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"media-{results['timestamp']}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "media-latest.md").write_text(report + "\n")
    say(f"wrote bench/results/media-{results['timestamp']}.json and bench/results/media-latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
