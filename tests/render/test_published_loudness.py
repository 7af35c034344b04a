"""Every published MP3 is on the loudness target and starts with a lead-in (issue 14, 2 and 3).

The samples rendered with espeak at -19 LUFS (the default) and at -16: each summary, body and
episode, decoded and measured with pyloudnorm as a listener's player would hear it, is within
+-0.3 LU of the setting with true peaks at or below -1 dBTP, and its first word comes after
about 0.3 s of silence. The gain is the file's own, applied at assembly: the cached segments
are what synthesis stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from audionews import config
from audionews.articles import parse_text
from audionews.audio.decode import decode_mp3
from audionews.audio.loudness import true_peak
from audionews.render.assemble import Assembler
from audionews.render.renderer import Renderer, RenderInput
from audionews.render.storage import Storage
from audionews.tts import EngineChain, create
from tests.helpers import SAMPLES, sample_text


def _inputs() -> list[RenderInput]:
    items = []
    for number, name in enumerate(SAMPLES):
        parsed = parse_text(sample_text(name).encode("utf-8"))
        items.append(
            RenderInput(
                slug=f"probe-{number}",
                title=parsed.title,
                summary=parsed.summary,
                body=parsed.body,
                date=dt.date(2026, 11, 25),
            )
        )
    return items


@pytest.mark.parametrize("target", [-19.0, -16.0])
def test_every_published_file_is_on_target_with_a_lead_in(tmp_path: Path, target: float) -> None:
    settings = config.defaults()
    engine = create("espeak", settings)
    rate = engine.sample_rate
    storage = Storage(tmp_path)
    renderer = Renderer(storage, EngineChain(engine, None, 60), target_lufs=target)
    meter = pyloudnorm.Meter(rate)
    measured = []
    for item in _inputs():
        out = renderer.render(item)
        for kind in ("summary", "body", "episode"):
            pcm = decode_mp3(storage.path(out.files[kind]).read_bytes(), rate)
            data = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768
            loudness = meter.integrated_loudness(data)
            peak = true_peak(pcm, rate)
            first_word = np.flatnonzero(np.abs(data) > 0.01)[0] / rate
            measured.append((item.slug, kind, round(loudness, 2), round(peak, 2)))
            assert abs(loudness - target) <= 0.3, (item.slug, kind, loudness)
            assert peak <= -1.0, (item.slug, kind, peak)
            assert 0.25 <= first_word <= 0.4, (item.slug, kind, first_word)
    print(measured)


def test_the_gain_leaves_the_cached_segments_alone(tmp_path: Path) -> None:
    engine = create("espeak", config.defaults())
    storage = Storage(tmp_path)
    item = _inputs()[0]
    renderer = Renderer(storage, EngineChain(engine, None, 60))
    out = renderer.render(item)
    stored = {key: storage.read_segment(key) for key in out.cache_keys["segments"]}
    # Rendered again: nothing synthesized or encoded, the same files, the segments untouched.
    again = Renderer(storage, EngineChain(engine, None, 60)).render(item)
    assert again.synthesized == 0 and again.encoded == 0 and again.files == out.files
    assert {key: storage.read_segment(key) for key in out.cache_keys["segments"]} == stored
    # Every planned chunk, the lead-in's too, is among the rendition's cache keys (the prune).
    lead_in = Assembler(storage, engine.sample_rate, 64, lead_in_ms=300).lead_in_chunk()
    assert lead_in is not None and lead_in.key in out.cache_keys["chunks"]
    assert all(storage.chunk_path(key).exists() for key in out.cache_keys["chunks"])
