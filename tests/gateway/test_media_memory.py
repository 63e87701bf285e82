"""A 100 MB model uploaded to a gateway process: streamed into the blob store as it
arrives, so the process grows by far less than the file (measured from /proc)."""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from assetforge.common.devstack import free_port
from tests.privy import FakePrivy, bearer
from tests.support import RunningService, ServiceProcess, wait_until

MB = 1024 * 1024
SIZE = 100 * MB  # the largest model the media service keeps
MAX_GROWTH = 64 * MB
_ZEROS = bytes(MB)


def glb_head(size: int) -> bytes:
    """A binary glTF's header, JSON chunk and BIN chunk header for a file of ``size``
    bytes, whose BIN chunk (zeros) fills the rest."""
    generator = f"memory test {uuid.uuid4()}"
    # The buffer's length is written with a fixed width (padded with spaces), so the JSON's length is known first.
    text = json.dumps({"asset": {"version": "2.0", "generator": generator}, "buffers": [{"byteLength": 10**9}]})
    bin_length = size - 12 - 8 - (len(text) + -len(text) % 4) - 8
    chunk = text.replace(str(10**9), f"{bin_length:>10}").encode()
    chunk += b" " * (-len(chunk) % 4)
    return (
        struct.pack("<4sII", b"glTF", 2, size)
        + struct.pack("<I4s", len(chunk), b"JSON")
        + chunk
        + struct.pack("<I4s", bin_length, b"BIN\x00")
    )


async def model(size: int) -> AsyncIterator[bytes]:
    head = glb_head(size)
    yield head
    left = size - len(head)
    while left > 0:
        yield _ZEROS[: min(MB, left)]
        left -= min(MB, left)


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            found[name] = int(value.split()[0]) * 1024
    return found


def reset_peak(pid: int) -> bool:
    """Start VmHWM again from the current RSS (Linux: 5 > clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@pytest.mark.slow
async def test_a_100_mb_upload_grows_the_gateway_by_less_than_64_mb(
    stack: dict[str, RunningService], environ: dict[str, str], privy: FakePrivy, tmp_path: Path
) -> None:
    port = free_port()
    process = ServiceProcess("gateway", {**environ, "PORT": str(port), "LOG_LEVEL": "WARNING"}, tmp_path / "gw.log")
    process.start()
    assert process.process is not None
    pid = process.process.pid
    base = f"http://127.0.0.1:{port}"
    headers = bearer(privy.token(f"did:privy:memory-{uuid.uuid4().hex[:8]}"))

    async def live() -> bool:
        try:
            async with httpx.AsyncClient(timeout=1) as client:
                return (await client.get(f"{base}/api/health/live")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await wait_until(live, timeout=60, interval=0.2)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
            # First requests load what they need; that is not the upload's cost.
            warm = await client.post("/api/media/uploads", content=b"".join([c async for c in model(MB)]))
            assert warm.status_code == 201, warm.text
            before = memory(pid)
            peak_reset = reset_peak(pid)

            response = await client.post(
                "/api/media/uploads",
                params={"kind": "model", "fileName": "huge.glb"},
                content=model(SIZE),
                headers={"content-type": "model/gltf-binary", "content-length": str(SIZE)},
            )

            after = memory(pid)
        assert response.status_code == 201, response.text
        assert (response.json()["size"], response.json()["kind"]) == (SIZE, "model")
        baseline = before["VmRSS"] if peak_reset else before["VmHWM"]
        growth = after["VmHWM"] - baseline
        assert growth < MAX_GROWTH, f"the gateway grew by {growth / MB:.1f} MB (from {baseline / MB:.1f} MB)"
    finally:
        process.terminate()
    assert "Traceback" not in process.output(), process.output()[-3000:]
