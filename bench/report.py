"""Turning measurements into the printed table, the ratios, the target check and the
files under ``bench/results/``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loadgen import WrkResult

BUS = "bus"
BASELINE = "baseline"
ASSETS_PATH = "/api/assets?limit=50"
LIVE_PATH = "/api/health/live"

# The target: through the bus, /api/assets keeps at least half the baseline's
# throughput, and its p99 stays under 50 ms.
TARGET_RPS_SHARE = 0.5
TARGET_P99_MS = 50.0


@dataclass(frozen=True, slots=True)
class Measurement:
    side: str
    path: str
    result: WrkResult

    @property
    def scenario(self) -> str:
        return f"{self.side}: GET {self.path}"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    rps_share: float
    p99_ms: float
    baseline_p99_ms: float

    @property
    def rps_met(self) -> bool:
        return self.rps_share >= TARGET_RPS_SHARE

    @property
    def p99_met(self) -> bool:
        return self.p99_ms < TARGET_P99_MS

    @property
    def met(self) -> bool:
        return self.rps_met and self.p99_met

    def lines(self) -> list[str]:
        share, gap = self.rps_share * 100, (self.rps_share - TARGET_RPS_SHARE) * 100
        rps = f"{share:.1f}% of baseline, {abs(gap):.1f} points {'above' if gap >= 0 else 'short'}"
        slack = TARGET_P99_MS - self.p99_ms
        p99 = f"{self.p99_ms:.1f} ms, {abs(slack):.1f} ms {'to spare' if slack > 0 else 'over'}"
        p99 += f"; the baseline's p99 is {self.baseline_p99_ms:.1f} ms"
        return [
            f"- through-bus requests/s >= {TARGET_RPS_SHARE:.0%} of baseline: {_word(self.rps_met)} ({rps})",
            f"- through-bus p99 < {TARGET_P99_MS:.0f} ms: {_word(self.p99_met)} ({p99})",
            f"- target: **{_word(self.met)}**",
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "rps_share": self.rps_share,
            "rps_share_required": TARGET_RPS_SHARE,
            "rps_met": self.rps_met,
            "p99_ms": self.p99_ms,
            "p99_limit_ms": TARGET_P99_MS,
            "p99_met": self.p99_met,
            "baseline_p99_ms": self.baseline_p99_ms,
            "met": self.met,
        }


def _word(met: bool) -> str:
    return "met" if met else "missed"


def find(measurements: list[Measurement], side: str, path: str) -> WrkResult | None:
    return next((m.result for m in measurements if m.side == side and m.path == path), None)


def ratio(measurements: list[Measurement], path: str) -> float | None:
    bus, baseline = find(measurements, BUS, path), find(measurements, BASELINE, path)
    if bus is None or baseline is None or baseline.requests_per_s == 0:
        return None
    return bus.requests_per_s / baseline.requests_per_s


def ratios(measurements: list[Measurement]) -> dict[str, float | None]:
    return {path: ratio(measurements, path) for path in (ASSETS_PATH, LIVE_PATH)}


def target_check(measurements: list[Measurement]) -> TargetCheck | None:
    share = ratio(measurements, ASSETS_PATH)
    bus, baseline = find(measurements, BUS, ASSETS_PATH), find(measurements, BASELINE, ASSETS_PATH)
    if share is None or bus is None or baseline is None:
        return None
    return TargetCheck(rps_share=share, p99_ms=bus.p99_ms, baseline_p99_ms=baseline.p99_ms)


def table(measurements: list[Measurement]) -> str:
    rows = [
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | errors (non-2xx / socket) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        r = m.result
        rows.append(
            f"| {m.scenario} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.p99_ms:.2f} "
            f"| {r.non_2xx} / {r.socket_errors} |"
        )
    return "\n".join(rows)


def summary(measurements: list[Measurement]) -> str:
    """The table, the bus / baseline ratios and the target check, as markdown."""
    lines = [table(measurements), "", "**bus / baseline, requests/s**", ""]
    for path, value in ratios(measurements).items():
        lines.append(f"- GET {path}: {'n/a (needs both sides)' if value is None else f'{value:.2f}'}")
    lines += ["", "**target** (GET /api/assets?limit=50)", ""]
    check = target_check(measurements)
    lines += check.lines() if check else ["- n/a: needs both the bus and the baseline runs"]
    if any(m.result.errors for m in measurements):
        lines += ["", "Some scenarios had errors: their figures are not comparable; see the service logs."]
    return "\n".join(lines)


def record(measurements: list[Measurement], context: dict[str, Any]) -> dict[str, Any]:
    check = target_check(measurements)
    return {
        **context,
        "scenarios": [
            {"scenario": m.scenario, "side": m.side, "path": m.path, **asdict(m.result), "errors": m.result.errors}
            for m in measurements
        ],
        "ratios_bus_over_baseline_rps": ratios(measurements),
        "target": check.to_json() if check else None,
    }


def latest_markdown(measurements: list[Measurement], context: dict[str, Any]) -> str:
    load, machine = context["wrk"], context["machine"]
    setup = (
        f"wrk {load['threads']} threads, {load['connections']} connections, {load['duration_s']} s per scenario "
        f"after a {load['warmup_s']} s warm-up; {context['assets_seeded']} public assets seeded; "
        f"database: {context['database']}."
    )
    host = (
        f"Machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), {machine['platform']}, "
        f"Python {machine['python']}, {machine['wrk']}."
    )
    return "\n".join([f"# Load test, {context['timestamp']}", "", setup, host, "", summary(measurements), ""])


def write_results(directory: Path, measurements: list[Measurement], context: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{context['timestamp']}.json"
    path.write_text(json.dumps(record(measurements, context), indent=2) + "\n")
    (directory / "latest.md").write_text(latest_markdown(measurements, context))
    return path
