"""The table and the verdicts of ``make bench-media`` (bench/media.py)."""

from __future__ import annotations

from typing import Any

MB = 1024 * 1024
TARGET_DOWNLOAD_MB_S = 300
TARGET_THUMB_RPS = 2000
TARGET_UPLOAD_MB_S = 100
MAX_RSS_GROWTH = 64 * MB


def verdict(value: float, target: float, *, at_most: bool = False) -> str:
    met = value < target if at_most else value >= target
    return "met" if met else "missed"


def render(results: dict[str, Any]) -> str:
    downloads, uploads = results["downloads"], results["uploads"]
    model, thumb = downloads["download 20 MB GLB"], downloads["thumbnail 200 KB"]
    lines = [
        f"# Files through the gateway ({results['timestamp']})",
        "",
        "| scenario | connections | requests/s | MB/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in downloads.items():
        lines.append(
            f"| {name} | {int(row['connections'])} | {row['requests_per_s']:,.1f} | {row['mb_per_s']:,.0f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {int(row['non_2xx'] + row['socket_errors'])} |"
        )
    download = f"{verdict(model['mb_per_s'], TARGET_DOWNLOAD_MB_S)}"
    thumbs = f"{verdict(thumb['requests_per_s'], TARGET_THUMB_RPS)}"
    slowest = min(uploads["median_mb_per_s"].values())
    upload_rate = f"{verdict(slowest, TARGET_UPLOAD_MB_S)}"
    growth = f"{verdict(uploads['rss_growth_mb'], MAX_RSS_GROWTH / MB, at_most=True)}"
    for form, found in uploads["mb_per_s"].items():
        runs = ", ".join(f"{rate:.0f}" for rate in found)
        median = uploads["median_mb_per_s"][form]
        lines.append(f"| upload 100 MB model, {form} (one at a time) | 1 | | {median:.0f} (runs: {runs}) | | | 0 |")
    lines += [
        "",
        f"- download: {model['mb_per_s']:,.0f} MB/s (target >= {TARGET_DOWNLOAD_MB_S}: {download})",
        f"- thumbnails: {thumb['requests_per_s']:,.0f} req/s (target >= {TARGET_THUMB_RPS:,}: {thumbs})",
        f"- upload: {slowest:.0f} MB/s median of the slower form (target >= {TARGET_UPLOAD_MB_S}: {upload_rate})",
        f"- gateway peak RSS growth {uploads['rss_growth_mb']:.1f} MB (target < {MAX_RSS_GROWTH // MB}: {growth})",
    ]
    busy = results["cpu_busy_before_start"]
    if busy is not None and busy > 0.15:
        lines.append(f"- {busy:.0%} of the CPUs were busy before the run: the figures are noisy")
    return "\n".join(lines)
