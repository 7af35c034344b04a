"""Counters for /metrics, added up across every process of a deployment (see `store`).

The render and engine code reports events with one call each (`Metrics.inc`, `observe`, or
the hooks in `metrics.hooks`); `exposition` turns the stored series and a few live gauges
into Prometheus text. A failing store never fails the work it counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .store import NullStore, Series, Store, labels_key, store_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    """A stored metric: a counter (name without `_total`) or a histogram."""

    name: str
    kind: str  # "counter" or "histogram"
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()


RENDERS = Metric(
    "audionews_renders",
    "counter",
    "Render jobs ended, by outcome: ready, failed, superseded (a newer revision came), retry.",
    ("outcome",),
)
RENDER_SECONDS = Metric(
    "audionews_render_seconds",
    "histogram",
    "Seconds from a render's start to its published files (result: ok, failed, error).",
    ("result",),
    (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800),
)
SEGMENTS = Metric(
    "audionews_segments",
    "counter",
    "Distinct segments of finished renders: synthesized for it, or found in the cache.",
    ("engine", "source"),
)
FALLBACKS = Metric(
    "audionews_engine_fallbacks",
    "counter",
    "Renders spoken by the fallback engine because the first one was unavailable.",
    ("engine", "fallback"),
)
GTTS_RESPONSES = Metric(
    "audionews_gtts_responses",
    "counter",
    "Answers of Google's TTS endpoint by HTTP status (error: no answer, e.g. unreachable).",
    ("status",),
)
GTTS_WAIT = Metric(
    "audionews_gtts_budget_wait_seconds",
    "counter",
    "Seconds gTTS requests waited for the deployment's budget (slots, rate, pauses).",
)
GTTS_PAUSES = Metric(
    "audionews_gtts_pauses",
    "counter",
    "Pauses of every process after Google answered 429.",
)
PRUNED_BYTES = Metric(
    "audionews_cache_pruned_bytes",
    "counter",
    "Bytes the cache prune removed (kind: segments, chunks, published).",
    ("kind",),
)
PRUNES = Metric("audionews_cache_prunes", "counter", "Cache prunes run.")

STORED = (
    RENDERS,
    RENDER_SECONDS,
    SEGMENTS,
    FALLBACKS,
    GTTS_RESPONSES,
    GTTS_WAIT,
    GTTS_PAUSES,
    PRUNED_BYTES,
    PRUNES,
)


class Metrics:
    """Adds events to the deployment's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._warned = 0.0

    @classmethod
    def null(cls) -> Metrics:
        return cls(NullStore())

    @classmethod
    def for_settings(cls, settings: Mapping[str, Any]) -> Metrics:
        return cls(store_for(settings))

    def inc(self, metric: Metric, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` to a counter."""
        if amount:
            self._add([(metric.name, labels_key(labels), float(amount))])

    def observe(self, metric: Metric, value: float, **labels: str) -> None:
        """Count `value` into its histogram bucket (the smallest `le` that holds it)."""
        bucket = next((str(le) for le in metric.buckets if value <= le), "+Inf")
        self._add(
            [
                (metric.name + "_bucket", labels_key({**labels, "le": bucket}), 1.0),
                (metric.name + "_sum", labels_key(labels), float(value)),
                (metric.name + "_count", labels_key(labels), 1.0),
            ]
        )

    def _add(self, series: list[Series]) -> None:
        try:
            self.store.add(series)
        except Exception as exc:  # counting must never break a render
            now = time.monotonic()
            if now - self._warned > 60:
                self._warned = now
                log.warning("metrics not stored (%s): %s", type(exc).__name__, exc)
