"""The table and target checks ``bench/health.py`` prints and writes to ``results/``."""

from __future__ import annotations

from typing import Any

SUMMARY, READY, ME = "/api/health", "/api/health/ready", "/api/users/me"
# The targets: the checklist's p95 with no error; the probe's throughput.
TARGET_P95_MS = 50.0
TARGET_READY_RPS = 2000.0


def render(record: dict[str, Any]) -> str:
    machine = record["machine"]
    head = f"# Health probes, {record['timestamp']}\n\nDatabase: {record['database']}; {machine['cpu_count']} CPUs."
    return "\n\n".join([head, render_checklist(record), render_ready(record), render_others(record)])


def render_checklist(record: dict[str, Any]) -> str:
    checklist = record["checklist"]
    rounds = checklist["rounds"]
    worst = max(rounds, key=lambda r: r["p95_ms"])
    errors = sum(r["errors"] for r in rounds)
    verdict = "met" if worst["p95_ms"] < TARGET_P95_MS and errors == 0 else "missed"
    lines = [
        f"## {checklist['users']} users x {checklist['requests_per_user']} requests, GET {SUMMARY}",
        "",
        "| round | p50 ms | p95 ms | p99 ms | max ms | errors | peak backends (pools / all) | *-probe backends |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, r in enumerate(rounds, 1):
        probes = ", ".join(r["probe_backends_seen"]) or "none"
        lines.append(
            f"| {number} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} | "
            f"{r['backends_peak']} / {r['backends_peak_total']} | {probes} |"
        )
    lines += [
        "",
        (
            f"- target p95 < {TARGET_P95_MS:.0f} ms with 0 errors: {verdict} (worst round p95 {worst['p95_ms']} ms, "
            f"{errors} errors; the client's own overhead is included)"
        ),
    ]
    return "\n".join(lines)


def render_ready(record: dict[str, Any]) -> str:
    ready = record["ready"]
    verdict = "met" if ready["requests_per_s"] >= TARGET_READY_RPS else "missed"
    return "\n".join(
        [
            f"## GET {READY}, wrk {record['wrk']['connections']} connections",
            "",
            (
                f"- {ready['requests_per_s']:,.0f} req/s, p50 {ready['p50_ms']} ms, p99 {ready['p99_ms']} ms, "
                f"errors {ready['non_2xx']} non-2xx / {ready['socket_errors']} socket, "
                f"peak backends {ready['backends_peak']} (pools) / {ready['backends_peak_total']} (all)"
            ),
            f"- target >= {TARGET_READY_RPS:,.0f} req/s: {verdict}",
        ]
    )


def render_others(record: dict[str, Any]) -> str:
    alone, loaded = record["users_me"]["alone"], record["users_me"]["under_probe_load"]
    lines = [
        f"## GET {ME} at {record['wrk']['others']} connections",
        "",
        "| probe load | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, row in (("none", alone), (f"wrk {READY} x{record['wrk']['connections']}", loaded)):
        errors = row["non_2xx"] + row["socket_errors"]
        lines.append(f"| {label} | {row['requests_per_s']:,.0f} | {row['p50_ms']} | {row['p99_ms']} | {errors} |")
    background = record["probe_load_during_users_me"]["requests_per_s"]
    lines += ["", f"- p99 moved by {loaded['p99_ms'] - alone['p99_ms']:+.2f} ms (probe load: {background:,.0f} req/s)"]
    return "\n".join(lines)
