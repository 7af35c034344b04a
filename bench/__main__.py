"""Run the benchmarks: `python -m bench` runs all, `python -m bench NAME...` the named ones.

Prints a table of measured value, baseline, ratio, goal and PASS/MISS, and writes
bench/out/results.json (entries of benchmarks not run this time are kept from earlier runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import (
    OUT,
    Row,
    briefing,
    cache_growth,
    cache_verify,
    feeds,
    fmt,
    gtts_client,
    incremental,
    memory,
    pages,
    queue_latency,
    recovery,
    say,
    workers,
)

BENCHMARKS: dict[str, Callable[[], list[Row]]] = {
    queue_latency.NAME: queue_latency.run,
    incremental.NAME: incremental.run,
    gtts_client.NAME: gtts_client.run,
    memory.NAME: memory.run,
    feeds.NAME: feeds.run,
    briefing.NAME: briefing.run,
    workers.NAME: workers.run,
    cache_growth.NAME: cache_growth.run,
    recovery.NAME: recovery.run,
    cache_verify.NAME: cache_verify.run,
    pages.NAME: pages.run,
}


def table(rows: list[Row]) -> str:
    header = ("benchmark", "measurement", "value", "baseline", "ratio", "goal", "result")
    lines = [
        (
            row.bench,
            row.label,
            fmt(row.value, row.unit),
            fmt(row.baseline, row.unit),
            f"{row.ratio:.3f}",
            row.goal,
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    out = []
    for number, cells in enumerate([header, *lines]):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        choices=[*BENCHMARKS, []],
        metavar="NAME",
        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)",
    )
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)

    rows: list[Row] = []
    failed: dict[str, str] = {}
    durations: dict[str, float] = {}
    for name in names:
        say(f"== {name}")
        start = time.perf_counter()
        try:
            rows.extend(BENCHMARKS[name]())
        except Exception as exc:  # report the others even when one benchmark breaks
            traceback.print_exc()
            failed[name] = f"{type(exc).__name__}: {exc}"
        durations[name] = time.perf_counter() - start
        say(f"   ({durations[name]:.1f} s)")

    print()
    print(table(rows))
    for name, error in failed.items():
        print(f"{name}: ERROR {error}")
    _write(names, rows, failed, durations)
    print(f"\nresults: {OUT / 'results.json'}")
    return 1 if failed else 0


def _write(
    names: list[str], rows: list[Row], failed: dict[str, str], durations: dict[str, float]
) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    results: dict[str, Any] = {}
    if path.exists():
        try:
            results = json.loads(path.read_text("utf-8")).get("benchmarks", {})
        except (ValueError, AttributeError):
            results = {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for name in names:
        results[name] = {
            "measured_at": now,
            "seconds": round(durations.get(name, 0.0), 2),
            "error": failed.get(name),
            "rows": [row.to_dict() for row in rows if row.bench == name],
        }
    document = {
        "updated_at": now,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "benchmarks": results,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    sys.exit(main())
