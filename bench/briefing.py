"""briefing: rebuilding the daily briefing after one article of twenty changed.

Twenty articles (the three samples' summaries, each sentence varied with the article's number,
with the sample bodies) are rendered with espeak on a `Storage` in a temporary dir; then:

- baseline: the briefing built from an empty cache: everything it says (the opening, each
  title and summary, the closing) rendered from scratch by `Renderer.render` into one file on
  an empty segment and chunk cache;
- the first build of the briefing (`BriefingBuilder.build`) with nothing of its own cached (info);
- measured: after one article's summary changed and that article was re-rendered, the
  briefing built again (median of three different articles).

Goal: the rebuild takes <= 10 % of the baseline.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from audionews.render.briefing import BriefingBuilder
from audionews.render.briefing_text import (
    BriefingInput,
    Story,
    briefing_title,
    closing_text,
    opening_text,
)
from audionews.render.renderer import Renderer, RenderInput, RenderOutput
from audionews.render.storage import Storage
from audionews.tts import EngineChain, create

from . import Row, fmt, say, settings
from .article import SAMPLES, sample

NAME = "briefing"
GOAL = 0.10
ARTICLES = 20
CHANGED = (3, 7, 12)
DAY = dt.date(2026, 12, 1)


def _article(number: int) -> tuple[str, str, str]:
    """Return title, summary and body of article `number`: a sample varied by its number."""
    base = sample(SAMPLES[number % len(SAMPLES)])
    summary = re.sub(r"([.!?])(\s|$)", rf" (Meldung {number + 1})\1\2", base.summary.strip())
    return f"Meldung {number + 1}: {base.title}", summary, base.body


def _story(number: int, title: str, output: RenderOutput) -> Story:
    return Story(
        number,
        f"meldung-{number + 1}",
        title,
        output.files["episode"],
        output.chapters,
        output.cues,
    )


def _timed(label: str, work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    say(f"  {label}: {fmt(seconds, 's')}")
    return seconds, result


def run() -> list[Row]:
    engine = create("espeak", settings())
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        storage = Storage(Path(tmp) / "media")
        renderer = Renderer(storage, EngineChain(engine, None, 300))
        texts = [_article(n) for n in range(ARTICLES)]
        start = time.perf_counter()
        outputs = [
            renderer.render(RenderInput(f"meldung-{n + 1}", *text, DAY))
            for n, text in enumerate(texts)
        ]
        say(f"  {ARTICLES} articles rendered in {time.perf_counter() - start:.1f} s (not measured)")
        stories = [_story(n, texts[n][0], out) for n, out in enumerate(outputs)]
        builder = BriefingBuilder(storage, renderer, bitrate_kbps=64)

        # Baseline: everything the briefing says, rendered from an empty cache.
        body = "\n\n".join(f"{title}.\n\n{summary}" for title, summary, _ in texts)
        scratch = Renderer(Storage(Path(tmp) / "scratch"), EngineChain(engine, None, 300))
        whole = RenderInput(
            "briefing",
            briefing_title(DAY),
            opening_text(DAY, ARTICLES),
            body + "\n\n" + closing_text(DAY),
            DAY,
        )
        baseline, scratch_output = _timed(
            "baseline: all of it rendered from an empty cache", lambda: scratch.render(whole)
        )

        first, output = _timed(
            "first build of the briefing (articles rendered, nothing of its own cached)",
            lambda: builder.build(BriefingInput(DAY, tuple(stories))),
        )
        chapters = [c for c in output.chapters if c["slug"]]
        say(
            f"  briefing: {len(chapters)} articles, {output.duration:.1f} s "
            f"({scratch_output.durations['episode']:.1f} s from scratch); "
            f"{output.synthesized} segments synthesized, {output.encoded} chunks encoded; "
            f"chapters {[round(c['start'], 1) for c in output.chapters]}"
        )
        rebuilds, with_render, counts = [], [], []
        for number in CHANGED:
            title, summary, body_text = texts[number]
            changed = summary.replace("(Meldung", "(geänderte Meldung", 1)
            item = RenderInput(f"meldung-{number + 1}", title, changed, body_text, DAY)
            render_seconds, out = _timed(
                f"re-render of article {number + 1} (one sentence changed; not measured)",
                partial(renderer.render, item),
            )
            stories[number] = _story(number, title, out)
            seconds, again = _timed(
                f"briefing rebuilt after article {number + 1} changed",
                partial(builder.build, BriefingInput(DAY, tuple(stories))),
            )
            rebuilds.append(seconds)
            with_render.append(seconds + render_seconds)
            counts.append({"synthesized": again.synthesized, "encoded": again.encoded})
            assert again.synthesized == 0, "a rebuild spoke something"
    notes = {
        "articles": ARTICLES,
        "duration": output.duration,
        "chapters": output.chapters,
        "first_build": {"synthesized": output.synthesized, "encoded": output.encoded},
        "rebuilds": rebuilds,
        "rebuild_counts": counts,
    }
    rebuild = statistics.median(rebuilds)
    return [
        Row(
            NAME,
            f"rebuild after 1 of {ARTICLES} articles changed",
            rebuild,
            baseline,
            "s",
            limit=GOAL,
            goal=f"ratio <= {GOAL:g}",
            notes=notes,
        ),
        Row(NAME, "first build (nothing of its own cached)", first, baseline, "s", goal="info"),
        Row(
            NAME,
            "rebuild + the changed article's own re-render",
            statistics.median(with_render),
            baseline,
            "s",
            goal="info",
        ),
    ]
