"""incremental: re-rendering a long article after editing one sentence.

The article (bench.article.long_article) repeats the body paragraphs of the three samples with
every sentence varied by its copy number; its episode runs over 30 minutes (checked and printed).
`audionews.render.Renderer` on a `Storage` in a temporary dir with `EngineChain(engine, None, 300)`
renders it once with an empty segment cache (the baseline), then again after one sentence changed
(the measurement). Engines: the project's gtts engine against FakeGoogle (150 ms per request,
primed with every text beforehand) for the goal, and espeak for information.
Goal: the re-render takes <= 10 % of the full render.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from audionews.render.renderer import Progress, Renderer, RenderInput, RenderOutput
from audionews.render.storage import Storage
from audionews.speech import Segment, build_script
from audionews.tts import Engine, EngineChain, GTTSEngine, create

from . import FAKE_CACHE, Row, fmt, say, settings
from .article import Article, long_article
from .fake_google import FakeGoogle

NAME = "incremental"
GOAL = 0.10
MIN_SECONDS = 1800.0


class TimedRenderer(Renderer):
    """A Renderer that records how long its two phases take."""

    phases: dict[str, float]

    def render(self, item: RenderInput, progress: Progress | None = None) -> RenderOutput:
        self.phases = {"synthesize": 0.0, "assemble": 0.0}
        return super().render(item, progress)

    def _synthesize(
        self, engine: Engine, script: list[Segment], progress: Progress | None, **kwargs: Any
    ) -> tuple[list[str], int]:
        start = time.perf_counter()
        try:
            return super()._synthesize(engine, script, progress, **kwargs)
        finally:
            self.phases["synthesize"] += time.perf_counter() - start

    def _assemble(self, *args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        try:
            super()._assemble(*args, **kwargs)
        finally:
            self.phases["assemble"] += time.perf_counter() - start


def measure(
    label: str,
    engine: Engine,
    full: Article,
    edited: Article,
    tmp: Path,
    fake: FakeGoogle | None = None,
) -> dict[str, Any]:
    """Render `full` on an empty cache, then `edited`; return times and counts."""
    renderer = TimedRenderer(Storage(tmp / label), EngineChain(engine, None, 300))
    result: dict[str, Any] = {}
    for phase, article in (("full", full), ("edit", edited)):
        if fake is not None:
            fake.reset_counts()
        start = time.perf_counter()
        output = renderer.render(article.render_input("langer-artikel"))
        seconds = time.perf_counter() - start
        requests = len(fake.requests) if fake is not None else None
        result[phase] = {
            "seconds": seconds,
            "phases": dict(renderer.phases),
            "synthesized": output.synthesized,
            "cached": output.cached,
            "encoded": output.encoded,
            "requests": requests,
            "durations": output.durations,
        }
        asked = f", {requests} requests" if requests is not None else ""
        say(
            f"  {label} {phase}: {fmt(seconds, 's')} (synthesize "
            f"{fmt(renderer.phases['synthesize'], 's')}, assemble "
            f"{fmt(renderer.phases['assemble'], 's')}; {output.synthesized} segments "
            f"synthesized, {output.cached} cached{asked}; {output.encoded} MP3 chunk(s) "
            f"encoded); episode "
            f"{output.durations['episode']:.1f} s"
        )
    episode = result["full"]["durations"]["episode"]
    if episode < MIN_SECONDS:
        raise RuntimeError(f"{label}: the long article is only {episode:.0f} s long")
    return result


def run() -> list[Row]:
    full, edited = long_article(), long_article(edited=True)
    script = build_script(full.title, full.summary, full.body)
    edited_script = build_script(edited.title, edited.summary, edited.body)
    texts = [seg.spoken for seg in script]
    changed = sorted({s.spoken for s in edited_script} - set(texts))
    say(
        f"  long article: {len(full.body.split())} words, {len(script)} segments "
        f"({len(set(texts))} distinct); the edit changes {len(changed)} segment(s): {changed}"
    )

    rows: list[Row] = []
    goal = f"ratio <= {GOAL:g}"
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        with FakeGoogle(cache_dir=FAKE_CACHE) as fake:
            start = time.perf_counter()
            primed = fake.prime(texts + [seg.spoken for seg in edited_script])
            say(
                f"  fake Google primed with {primed} texts in {time.perf_counter() - start:.1f} s "
                f"(delay {fake.delay * 1000:.0f} ms per request)"
            )
            engine = GTTSEngine.from_settings(settings(), url=fake.url)
            gtts = measure("gtts", engine, full, edited, Path(tmp), fake)
        rows.append(_row("gtts (fake Google 150 ms), edit one sentence", gtts, GOAL, goal))
        espeak = measure("espeak", create("espeak", settings()), full, edited, Path(tmp))
        rows.append(_row("espeak, edit one sentence", espeak, None, "info (" + goal + ")"))
    return rows


def _row(label: str, result: dict[str, Any], limit: float | None, goal: str) -> Row:
    return Row(
        NAME,
        label,
        result["edit"]["seconds"],
        result["full"]["seconds"],
        "s",
        limit=limit,
        goal=goal,
        notes=result,
    )
