"""The load generator: ``wrk`` (the Debian package), driven with a Lua script whose
``done()`` prints one JSON line of figures that :func:`run_wrk` parses."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MARKER = "BENCH-RESULT "  # the prefix of the line DONE_SCRIPT prints

# Latencies come from wrk in microseconds. wrk counts a response with a status of 400 or
# more as a "status" error; connect/read/write/timeout errors are socket errors.
DONE_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"non_2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class Load:
    connections: int
    threads: int
    duration_s: int
    timeout_s: int


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    non_2xx: int
    socket_errors: int
    bytes_read: int

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def wrk_version(binary: str) -> str:
    # `wrk -v` prints its version, then its usage, and exits with status 1.
    output = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stdout
    return output.splitlines()[0].split(" Copyright")[0].strip() if output else "unknown"


def write_script(directory: Path) -> Path:
    script = directory / "report.lua"
    script.write_text(DONE_SCRIPT)
    return script


def write_paths_script(directory: Path, name: str, paths: Sequence[str]) -> Path:
    """A script that asks ``paths`` in turn (each connection thread from its own place),
    with the same ``done()`` report."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    script = directory / f"{name}.lua"
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "local next_path = 0\n"
        "setup = function(thread) thread:set('offset', math.random(#paths)) end\n"
        "request = function()\n"
        "  next_path = next_path + 1\n"
        "  return wrk.format(nil, paths[(next_path + (offset or 0)) % #paths + 1])\n"
        "end\n" + DONE_SCRIPT
    )
    return script


def run_wrk(binary: str, script: Path, url: str, load: Load, headers: Sequence[str] = ()) -> WrkResult:
    args = [
        binary,
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={load.duration_s}s",
        f"--timeout={load.timeout_s}s",
        f"--script={script}",
        *(f"--header={header}" for header in headers),
        url,
    ]
    finished = subprocess.run(args, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed with status {finished.returncode}: {finished.stderr or finished.stdout}")
    result = parse_output(finished.stdout)
    # wrk stops early, still printing its figures, when it receives SIGINT.
    if result.seconds < 0.9 * load.duration_s:
        raise RuntimeError(f"wrk stopped after {result.seconds:.1f}s of {load.duration_s}s; was it interrupted?")
    return result


def parse_output(output: str) -> WrkResult:
    for line in output.splitlines():
        if line.startswith(MARKER):
            return to_result(json.loads(line.removeprefix(MARKER)))
    raise RuntimeError(f"wrk printed no result line:\n{output}")


def to_result(raw: dict[str, float]) -> WrkResult:
    seconds = raw["duration_us"] / 1e6
    return WrkResult(
        requests=int(raw["requests"]),
        seconds=seconds,
        requests_per_s=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        non_2xx=int(raw["non_2xx"]),
        socket_errors=int(raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]),
        bytes_read=int(raw["bytes"]),
    )
