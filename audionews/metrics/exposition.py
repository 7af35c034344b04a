"""The Prometheus text of /metrics: the deployment's stored counters plus live gauges.

Counters and histograms come from the store every process writes to; gauges are measured when
scraped: jobs waiting and running (database), messages in the broker (Redis), cache bytes
(media folder, measured at most once a minute), breakers and the gTTS budget (Redis or this
process).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import func, select

from .. import shared_redis
from ..cache.usage import usage
from ..db import db
from ..models import Job, JobStatus
from ..tts.breaker import breakers_for
from ..tts.budget import budget_for
from . import STORED, Metrics
from . import Metric as Stored

log = logging.getLogger(__name__)

CELERY_QUEUE = "celery"  # the default queue every render task goes to


def _labels(key: str) -> dict[str, str]:
    return dict(json.loads(key))


def _stored(metric: Stored, values: dict[str, dict[str, float]]) -> Metric:
    if metric.kind == "counter":
        counter = CounterMetricFamily(metric.name, metric.help, labels=metric.labels)
        for key, value in sorted(values.get(metric.name, {}).items()):
            labels = _labels(key)
            counter.add_metric([labels.get(name, "") for name in metric.labels], value)
        return counter
    histogram = HistogramMetricFamily(metric.name, metric.help, labels=metric.labels)
    buckets: dict[tuple[str, ...], dict[str, float]] = {}
    for key, value in values.get(metric.name + "_bucket", {}).items():
        labels = _labels(key)
        series = tuple(labels.get(name, "") for name in metric.labels)
        buckets.setdefault(series, {})[labels["le"]] = value
    sums = {
        tuple(_labels(k).get(n, "") for n in metric.labels): v
        for k, v in values.get(metric.name + "_sum", {}).items()
    }
    bounds = [str(le) for le in metric.buckets] + ["+Inf"]
    for series in sorted(buckets):
        running = 0.0
        cumulative = []
        for bound in bounds:
            running += buckets[series].get(bound, 0.0)
            cumulative.append((bound, running))
        histogram.add_metric(list(series), cumulative, sums.get(series, 0.0))
    return histogram


def _gauge(name: str, help_text: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, labels=list(labels))


class DeploymentCollector:
    """Everything /metrics shows, collected at scrape time inside the app's context."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        settings: dict[str, Any] = self.app.config["AUDIONEWS"]
        sink: Metrics = self.app.extensions["metrics"]
        names = [m.name for m in STORED if m.kind == "counter"]
        names += [m.name + "_bucket" for m in STORED if m.kind == "histogram"]
        names += [m.name + "_sum" for m in STORED if m.kind == "histogram"]
        try:
            values = sink.store.read(names)
        except Exception as exc:  # a store that is down shows as no series, not as a 500
            log.warning("metrics store unreadable: %s", exc)
            values = {}
        for metric in STORED:
            yield _stored(metric, values)
        sections: list[Callable[[], Iterator[Metric]]] = [
            self._jobs,
            lambda: self._broker(settings),
            self._cache,
            lambda: self._engines(settings),
            lambda: self._budget(settings),
        ]
        for section in sections:
            try:
                found = list(section())
            except Exception as exc:  # the database or Redis is away: leave those gauges out
                log.warning("metrics gauge left out: %s", exc)
                db.session.rollback()
                continue
            yield from found

    def _jobs(self) -> Iterator[Metric]:
        rows = dict(
            db.session.execute(
                select(Job.status, func.count())
                .where(Job.status.in_(JobStatus.LIVE))
                .group_by(Job.status)
            ).all()
        )
        depth = _gauge("audionews_queue_depth", "Render jobs waiting for a worker.")
        depth.add_metric([], rows.get(JobStatus.QUEUED, 0))
        running = _gauge("audionews_renders_running", "Render jobs being rendered now.")
        running.add_metric([], rows.get(JobStatus.RENDERING, 0))
        return iter([depth, running])

    def _broker(self, settings: dict[str, Any]) -> Iterator[Metric]:
        client = shared_redis.for_settings(settings)
        if client is None:
            return
        gauge = _gauge(
            "audionews_broker_messages", "Messages waiting in the broker's render queue (Redis)."
        )
        gauge.add_metric([], int(client.llen(CELERY_QUEUE)))
        yield gauge

    def _cache(self) -> Iterator[Metric]:
        measured = usage(self.app.extensions["storage"])
        size = _gauge("audionews_cache_bytes", "Bytes in the media folder by kind.", ["kind"])
        files = _gauge("audionews_cache_files", "Files in the media folder by kind.", ["kind"])
        for kind, (count, nbytes) in measured.by_kind().items():
            size.add_metric([kind], nbytes)
            files.add_metric([kind], count)
        return iter([size, files])

    def _engines(self, settings: dict[str, Any]) -> Iterator[Metric]:
        names = [str(settings.get("TTS_ENGINE", "gtts")).strip().lower()]
        fallback = str(settings.get("TTS_FALLBACK", "") or "").strip().lower()
        if fallback and fallback not in names:
            names.append(fallback)
        lookup = breakers_for(settings)
        state = _gauge(
            "audionews_engine_breaker_open",
            "1 while an engine is skipped after it was found unavailable.",
            ["engine"],
        )
        left = _gauge(
            "audionews_engine_breaker_remaining_seconds",
            "Seconds until an open breaker closes.",
            ["engine"],
        )
        for name in names:
            remaining = lookup(name).remaining()
            state.add_metric([name], 1 if remaining > 0 else 0)
            left.add_metric([name], round(remaining, 3))
        return iter([state, left])

    def _budget(self, settings: dict[str, Any]) -> Iterator[Metric]:
        state = budget_for(settings).state()
        rows = (
            ("audionews_gtts_in_flight", "gTTS requests in flight now.", state.in_flight),
            (
                "audionews_gtts_paused_seconds",
                "Seconds left of a pause after a 429.",
                round(state.paused_for, 3),
            ),
            (
                "audionews_gtts_max_concurrent",
                "GTTS_MAX_CONCURRENT: the deployment's limit of gTTS requests in flight.",
                state.max_concurrent,
            ),
            (
                "audionews_gtts_rate_limit",
                "GTTS_RATE: gTTS requests per second the deployment may start (0 = no limit).",
                state.rate,
            ),
        )
        for name, help_text, value in rows:
            gauge = _gauge(name, help_text)
            gauge.add_metric([], value)
            yield gauge


def render(app: Flask) -> bytes:
    """Return the Prometheus text exposition of `app`'s deployment."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeploymentCollector(app))
    return generate_latest(registry)
