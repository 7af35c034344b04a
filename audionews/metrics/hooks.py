"""The render job's metric hooks: one call each in `jobs.render_job`."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, has_app_context

from ..render.renderer import Renderer, RenderError, RenderInput, RenderOutput
from . import FALLBACKS, RENDER_SECONDS, RENDERS, SEGMENTS, Metrics


def current() -> Metrics:
    """Return the metrics of the running app (nothing is counted outside one)."""
    if not has_app_context():
        return Metrics.null()
    found = current_app.extensions.get("metrics")
    return found if isinstance(found, Metrics) else Metrics.null()


def timed_render(renderer: Renderer, item: RenderInput, progress: Any = None) -> RenderOutput:
    """Run `renderer.render(item, progress)` and count its time, segments and fallback."""
    sink = current()
    started = time.monotonic()
    try:
        output = renderer.render(item, progress)
    except RenderError:
        sink.observe(RENDER_SECONDS, time.monotonic() - started, result="failed")
        raise
    except Exception:
        sink.observe(RENDER_SECONDS, time.monotonic() - started, result="error")
        raise
    sink.observe(RENDER_SECONDS, time.monotonic() - started, result="ok")
    sink.inc(SEGMENTS, output.synthesized, engine=output.engine, source="synthesized")
    sink.inc(SEGMENTS, output.cached, engine=output.engine, source="cached")
    primary = renderer.chain.primary.name
    if output.engine != primary:
        sink.inc(FALLBACKS, engine=primary, fallback=output.engine)
    return output


_OUTCOMES = {"ready": "ready", "failed": "failed", "superseded": "superseded", "queued": "retry"}


def job_finished(status: str) -> None:
    """Count a render job that ended (or went back to the queue for a retry)."""
    current().inc(RENDERS, outcome=_OUTCOMES.get(status, status))
