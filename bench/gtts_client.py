"""gtts: the project's gtts engine, as the renderer drives it, against plain gTTS.

Both speak the whole spoken text of the seed article through `FakeGoogle` (150 ms per request).
Ours: a `Renderer.render` with an empty segment cache (build_script segments synthesized on
engine.max_concurrency threads, decoded, joined and encoded to the three MP3s). The time of
`Renderer._synthesize` alone is printed too. Baseline: `gTTS(text, lang="de").save(path)` with
gTTS's own pre-processors, tokenizer and one-request-after-another loop, only its URL redirected.
Goal: ours at least 3x faster, i.e. ratio ours / gTTS <= 1/3.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from gtts import gTTS

from audionews.audio import RATE
from audionews.audio.decode import decode_mp3
from audionews.render.renderer import Renderer
from audionews.render.storage import Storage
from audionews.speech import build_script
from audionews.tts import EngineChain, GTTSEngine

from . import FAKE_CACHE, Row, fmt, median, say, settings, timed
from .article import sample
from .fake_google import FakeGoogle, gtts_pieces, redirect_gtts

NAME = "gtts"
REPEATS = 3
GOAL_SPEEDUP = 3.0


def _gtts_save(text: str, path: Path) -> None:
    gTTS(text, lang="de").save(path)


def _seconds(mp3: bytes) -> float:
    return len(decode_mp3(mp3, RATE)) / (2 * RATE)


def run() -> list[Row]:
    article = sample()
    text = article.spoken()
    script = build_script(article.title, article.summary, article.body)
    with (
        FakeGoogle(cache_dir=FAKE_CACHE) as fake,
        tempfile.TemporaryDirectory(prefix="bench-gtts-") as tmp,
    ):
        pieces = gtts_pieces(text)
        primed = fake.prime([seg.spoken for seg in script] + pieces)
        say(
            f"  spoken text: {len(text)} characters; ours {len(script)} segments, "
            f"gTTS {len(pieces)} requests; fake Google primed with {primed} texts, "
            f"delay {fake.delay * 1000:.0f} ms"
        )
        engine = GTTSEngine.from_settings(settings(), url=fake.url)

        ours: list[float] = []
        synth: list[float] = []
        base: list[float] = []
        episode = b""
        baseline_mp3 = b""
        for run_no in range(REPEATS):
            storage = Storage(Path(tmp) / f"ours-{run_no}")
            renderer = Renderer(storage, EngineChain(engine, None, 300))
            fake.reset_counts()
            seconds, output = timed(partial(renderer.render, article.render_input("seed")))
            ours.append(seconds)
            ours_requests = len(fake.requests)
            episode = storage.path(output.files["episode"]).read_bytes()

            bare = Renderer(Storage(Path(tmp) / f"synth-{run_no}"), EngineChain(engine, None, 300))
            seconds, _ = timed(partial(bare._synthesize, engine, script, None))
            synth.append(seconds)

            path = Path(tmp) / f"gtts-{run_no}.mp3"
            fake.reset_counts()
            with redirect_gtts(fake.url):
                seconds, _ = timed(partial(_gtts_save, text, path))
            base.append(seconds)
            base_requests = len(fake.requests)
            baseline_mp3 = path.read_bytes()
            say(
                f"  run {run_no + 1}: ours render {fmt(ours[-1], 's')} ({ours_requests} requests, "
                f"{engine.max_concurrency} threads), ours _synthesize {fmt(synth[-1], 's')}, "
                f"gTTS {fmt(base[-1], 's')} ({base_requests} requests)"
            )

    ours_audio, base_audio = _seconds(episode), _seconds(baseline_mp3)
    difference = (ours_audio - base_audio) / base_audio
    pauses = sum(seg.pause_ms for seg in script) / 1000
    say(
        f"  decoded audio: ours (episode) {ours_audio:.2f} s, of which {pauses:.2f} s are the "
        f"script's pauses; gTTS {base_audio:.2f} s ({difference:+.1%}; gTTS pieces keep "
        "espeak's own leading and trailing silence, ours are trimmed)"
    )
    ours_s, synth_s, base_s = median(ours), median(synth), median(base)
    notes = {
        "runs_ours": ours,
        "runs_synthesize": synth,
        "runs_gtts": base,
        "speedup": base_s / ours_s,
        "speedup_synthesize": base_s / synth_s,
        "audio_seconds_ours": ours_audio,
        "audio_seconds_gtts": base_audio,
        "audio_difference": difference,
        "script_pauses_seconds": pauses,
        "segments": len(script),
        "gtts_requests": len(pieces),
    }
    goal = f"ratio <= {1 / GOAL_SPEEDUP:.3f} (>= {GOAL_SPEEDUP:g}x faster)"
    return [
        # The engine's work (every segment fetched, decoded and cached) is what gTTS.save does;
        # the full render adds loudness and three MP3 encodes, shown for information.
        Row(
            NAME,
            "our engine, all segments vs gTTS.save",
            synth_s,
            base_s,
            "s",
            limit=1 / GOAL_SPEEDUP,
            goal=goal,
            notes=notes,
        ),
        Row(NAME, "  whole render, empty cache vs gTTS.save", ours_s, base_s, "s", goal="info"),
    ]
