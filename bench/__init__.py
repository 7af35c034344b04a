"""Benchmarks for audionews (`make bench`): each compares a measurement with a baseline
measured in the same run and prints the ratio against its goal. Not timed tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from audionews import config

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
# FakeGoogle's MP3s, kept between runs (git-ignored with out/); delete it to start cold.
FAKE_CACHE = OUT / "fake-google"


@dataclass
class Row:
    """One line of the results table.

    `ratio` is value / baseline. The goal applies to the ratio (`goal_on="ratio"`) or to the
    value itself (`goal_on="value"`); `limit` is an upper bound. A row without a limit is
    informational.
    """

    bench: str
    label: str
    value: float
    baseline: float
    unit: str
    limit: float | None = None
    goal_on: str = "ratio"
    goal: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def passed(self) -> bool | None:
        if self.limit is None:
            return None
        measured = self.ratio if self.goal_on == "ratio" else self.value
        return measured <= self.limit

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "info"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=round(self.ratio, 4), passed=self.passed, verdict=self.verdict)
        return data


def settings(**extra: Any) -> dict[str, Any]:
    """Return the default settings with `extra` applied."""
    values = config.defaults()
    values.update(extra)
    return values


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Return (seconds, result) of calling `func`."""
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def say(message: str) -> None:
    """Print a progress line at once (the runs take minutes)."""
    print(message, flush=True)


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:g} {unit}"
