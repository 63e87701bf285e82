"""The table and the target checks of ``make bench-catalog``: every run's figure, the
ratios run by run (each ratio from one run, so the machine's drift cancels), medians."""

from __future__ import annotations

import statistics
from typing import Any

CACHED_OVER_ANCHOR = 2.0
SIGNED_OVER_BASELINE = 0.9
LARGE_KEEPS = 0.9
SEARCH_P99_MS = 50.0

_ROWS = (
    ("cached", "anonymous, from the gateway's memory"),
    ("signed", "signed in, through the bus"),
    ("signed-deep", "signed in, page 20 by cursor"),
    ("baseline", "no bus: one process, same query"),
    ("anchor", "Elysia on Bun (the original server)"),
    ("large-signed", "1M: signed in, first page"),
    ("large-signed-deep", "1M: signed in, page 1,000 by cursor"),
    ("large-search", "1M: q= search, 4 connections"),
)


def _verdict(value: float, target: float, *, at_least: bool = True) -> str:
    met = value >= target if at_least else value < target
    if met:
        return "met"
    missed = (target - value) / target if at_least else (value - target) / target
    return f"MISSED by {missed:.0%}"


def _ratios(results: dict[str, list[dict[str, float]]], top: str, bottom: str) -> list[float]:
    return [a["requests_per_s"] / b["requests_per_s"] for a, b in zip(results[top], results[bottom], strict=False)]


def render(results: dict[str, list[dict[str, float]]], context: dict[str, Any]) -> str:
    runs = context["runs"]
    lines = [
        (
            f"# Catalog read path ({context['timestamp']}, wrk 2 threads, {context['wrk']['connections']} connections, "
            f"{context['wrk']['duration_s']} s per run; machine {context['machine']['cpu_count']} CPUs)"
        ),
        "",
        "| scenario | what | "
        + " | ".join(f"run {n} req/s" for n in range(1, runs + 1))
        + " | median | p99 ms | KB/resp |",
        "|---|---|" + "---:|" * (runs + 3),
    ]
    for name, what in _ROWS:
        rows = results.get(name, [])
        if not rows:
            continue
        rps = [r["requests_per_s"] for r in rows]
        lines.append(
            f"| {name} | {what} | "
            + " | ".join(f"{v:,.0f}" for v in rps)
            + f" | {statistics.median(rps):,.0f} | {statistics.median(r['p99_ms'] for r in rows):.1f} | "
            f"{statistics.median(r['bytes_per_response'] for r in rows) / 1024:.1f} |"
        )
    lines.append("")
    checks = []
    if results.get("cached") and results.get("anchor"):
        checks.append(("cached / anchor", _ratios(results, "cached", "anchor"), CACHED_OVER_ANCHOR))
    if results.get("signed") and results.get("baseline"):
        checks.append(("signed / baseline", _ratios(results, "signed", "baseline"), SIGNED_OVER_BASELINE))
    for label, ratios, target in checks:
        median = statistics.median(ratios)
        runs_text = ", ".join(f"{r:.2f}" for r in ratios)
        lines.append(f"- {label}: {runs_text}; median {median:.2f} (target >= {target}: {_verdict(median, target)})")
    small = results.get("signed")
    if small:
        reference = statistics.median(r["requests_per_s"] for r in small)
        for name in ("large-signed", "large-signed-deep"):
            if results.get(name):
                kept = statistics.median(r["requests_per_s"] for r in results[name]) / reference
                lines.append(
                    f"- {name} / signed at 1,000: {kept:.0%} (target >= {LARGE_KEEPS:.0%}: "
                    f"{_verdict(kept, LARGE_KEEPS)})"
                )
    if results.get("large-search"):
        p99s = [r["p99_ms"] for r in results["large-search"]]
        worst = max(p99s)
        lines.append(
            f"- search p99 at 1M: {', '.join(f'{p:.1f}' for p in p99s)} ms; worst {worst:.1f} ms "
            f"(target < {SEARCH_P99_MS:.0f} ms: {_verdict(worst, SEARCH_P99_MS, at_least=False)})"
        )
    lines += [
        "",
        "Seeded: {small:,} assets through the bus in {bus} s, then {large:,} in all (written into the schema) "
        "in {written} s. Machine: {cpu}, Python {python}, {anchor}, {wrk}.".format(
            small=context["assets"]["phase_1"],
            bus=context["seed_seconds"]["bus"],
            large=context["assets"]["phase_2"],
            written=context["seed_seconds"]["large"],
            cpu=context["machine"]["cpu_model"],
            python=context["machine"]["python"],
            anchor=context["machine"]["anchor"],
            wrk=context["machine"]["wrk"],
        ),
    ]
    return "\n".join(lines)
