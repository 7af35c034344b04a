"""Broadcast quality of real renders: loudness, true peak, exact pauses, click-free joins.

Every sample article is rendered through both engine paths (espeak offline; gTTS against
Google's format at the HTTP boundary) and the published MP3s are decoded and measured.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import responses
from scipy.signal import resample_poly

from audionews import config
from audionews.articles import parse_text
from audionews.audio.decode import decode_mp3
from audionews.render.renderer import Renderer, RenderInput, RenderOutput
from audionews.render.storage import Storage
from audionews.speech import Pauses, build_script
from audionews.tts import Clip, EngineChain, create
from audionews.tts.breaker import breaker_for
from tests.google import FakeGoogle
from tests.helpers import SAMPLES, sample_text

PAUSES = Pauses(piece_ms=150, sentence_ms=450, paragraph_ms=800, section_ms=1200)


def render_sample(engine_name: str, name: str, tmp: Path) -> tuple[RenderOutput, Storage, int]:
    for breaker in ("gtts", "espeak"):
        breaker_for(breaker).reset()
    article = parse_text(sample_text(name))
    engine = create(engine_name, config.defaults())
    storage = Storage(tmp)
    item = RenderInput(
        slug="probe",
        title=article.title,
        summary=article.summary,
        body=article.body,
        date=dt.date(2026, 11, 25),
    )
    out = Renderer(storage, EngineChain(engine, None, 60), pauses=PAUSES).render(item)
    assert out.engine == engine_name
    return out, storage, engine.sample_rate


@pytest.fixture(scope="module", params=["espeak", "gtts"])
def renders(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[tuple[RenderOutput, Storage, int]]]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeGoogle().install(mock)
        yield [
            render_sample(request.param, name, tmp_path_factory.mktemp(request.param))
            for name in SAMPLES
        ]


def decoded(storage: Storage, name: str, rate: int) -> np.ndarray:
    pcm = decode_mp3(storage.path(name).read_bytes(), rate)
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768


def test_every_mp3_meets_the_podcast_loudness_standard(
    renders: list[tuple[RenderOutput, Storage, int]],
) -> None:
    for out, storage, rate in renders:
        for kind, name in out.files.items():
            data = decoded(storage, name, rate)
            lufs = pyloudnorm.Meter(rate).integrated_loudness(data)
            peak = 20 * np.log10(np.max(np.abs(resample_poly(data, 4, 1))))
            assert -20.0 <= lufs <= -18.0, (kind, name, lufs)
            assert peak <= -1.0, (kind, name, peak)


def silent_runs(
    data: np.ndarray, rate: int, threshold_db: float = -50.0
) -> list[tuple[float, float]]:
    """Return (start, end) seconds of runs longer than 50 ms whose 2 ms RMS is below threshold.

    The threshold is the one the renderer trims engine silence with; MP3 coding noise around
    speech onsets stays below it.
    """
    hop = max(1, int(rate * 0.002))
    frames = data[: data.size // hop * hop].reshape(-1, hop)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    quiet = rms < 10 ** (threshold_db / 20)
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [
        (s * hop / rate, e * hop / rate)
        for s, e in zip(starts, ends, strict=True)
        if (e - s) * hop > rate * 0.05
    ]


def test_pauses_have_the_configured_lengths(
    renders: list[tuple[RenderOutput, Storage, int]],
) -> None:
    configured = [PAUSES.piece_ms, PAUSES.sentence_ms, PAUSES.paragraph_ms, PAUSES.section_ms]
    for (out, storage, rate), name in zip(renders, SAMPLES, strict=True):
        data = decoded(storage, out.files["episode"], rate)
        runs = silent_runs(data, rate)
        errors: list[float] = []
        article = parse_text(sample_text(name))
        script = build_script(article.title, article.summary, article.body, pauses=PAUSES)
        assert [seg.index for seg in script] == [cue["index"] for cue in out.cues]
        for cue, nxt in itertools.pairwise(out.cues):
            gap = nxt["start"] - cue["end"]
            # The pause the script asks for here. The cue gap is that pause, or (where one MP3
            # chunk ends and the next one starts on a frame boundary) up to 10 ms less.
            assert script[cue["index"]].pause_ms in configured
            wanted = script[cue["index"]].pause_ms / 1000
            assert -0.002 < wanted - gap < 0.012, (cue["display"], gap, wanted)
            # the silent run that covers the middle of this pause
            middle = (cue["end"] + nxt["start"]) / 2
            (run,) = [r for r in runs if r[0] <= middle <= r[1]]
            measured = run[1] - run[0]
            errors.append(measured - wanted)
            assert abs(measured - wanted) <= 0.020, (cue["display"], measured, wanted)
        print(
            f"pause error ms: mean {1000 * np.mean(errors):.1f}, "
            f"min {np.min(errors) * 1000:.1f}, max {np.max(errors) * 1000:.1f}"
        )


def test_joins_do_not_click(renders: list[tuple[RenderOutput, Storage, int]]) -> None:
    # A click is a jump between neighbouring samples far larger than speech makes at a
    # segment's edge; with trimmed, faded edges the signal at every join is near zero.
    for out, storage, rate in renders:
        data = decoded(storage, out.files["episode"], rate)
        window = int(0.003 * rate)
        for cue in out.cues:
            for edge in (cue["start"], cue["end"]):
                i = int(edge * rate)
                around = data[max(0, i - window) : i + window]
                if around.size > 1:
                    assert np.max(np.abs(np.diff(around))) < 0.05, (cue["display"], edge)


class HardEdgedEngine:
    """Clips that start and end mid-waveform at full level: the worst case for a join."""

    name = "tone"
    voice = "a440"
    max_concurrency = 1
    sample_rate = 22050

    def cache_options(self) -> dict[str, str]:
        return {}

    def synthesize(self, text: str) -> Clip:
        n = np.arange(int(0.3 * self.sample_rate + len(text)))
        wave = np.cos(2 * np.pi * 440 * n / self.sample_rate) * 0.8
        return Clip((wave * 32767).astype("<i2").tobytes(), self.sample_rate)


def test_hard_edged_clips_are_faded_at_every_join(tmp_path: Path) -> None:
    item = RenderInput(
        slug="ton",
        title="Ein Titel",
        summary="Erster Satz. Zweiter Satz.",
        body="Dritter Satz.",
        date=dt.date(2026, 11, 25),
    )
    out = Renderer(Storage(tmp_path), EngineChain(HardEdgedEngine(), None, 60)).render(item)
    storage = Storage(tmp_path)
    data = decoded(storage, out.files["episode"], HardEdgedEngine.sample_rate)
    rate = HardEdgedEngine.sample_rate
    for cue in out.cues:
        for edge in (cue["start"], cue["end"]):
            i = int(edge * rate)
            # the first and last milliseconds of every clip stay far below its full level
            assert np.max(np.abs(data[max(0, i - 22) : i + 22])) < 0.1, edge
