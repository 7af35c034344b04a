"""Loudness normalization of segments: BS.1770 loudness and true peak, on real speech."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audionews import config
from audionews.audio import loudness
from audionews.tts import create


@pytest.fixture(scope="module")
def speech() -> tuple[bytes, int]:
    clip = create("espeak", config.defaults()).synthesize(
        "Die Gewerkschaft Deutscher Lokomotivführer ruft zum Warnstreik auf."
    )
    return clip.pcm, clip.rate


def tone(freq: float, seconds: float, amplitude: float, rate: int = 22050) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude * 32767).astype("<i2").tobytes()


@pytest.mark.parametrize("gain_db", [-20.0, -6.0, 0.0, 6.0])
def test_speech_reaches_the_target_at_any_level(speech: tuple[bytes, int], gain_db: float) -> None:
    pcm, rate = speech
    data = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * 10 ** (gain_db / 20)
    scaled = np.clip(data, -32768, 32767).astype("<i2").tobytes()
    out = loudness.normalize(scaled, rate)
    assert abs(loudness.loudness(out, rate) - loudness.TARGET_LUFS) < 0.5
    assert loudness.true_peak(out, rate) <= loudness.PEAK_CEILING_DBTP + 0.05


def test_a_peaky_signal_is_limited_not_left_quiet() -> None:
    rate = 22050
    quiet = np.frombuffer(tone(440, 2.0, 0.02, rate), dtype="<i2").copy()
    quiet[rate : rate + 20] = 32000  # a click far above the rest
    out = loudness.normalize(quiet.tobytes(), rate)
    assert abs(loudness.loudness(out, rate) - loudness.TARGET_LUFS) < 0.5
    assert loudness.true_peak(out, rate) <= loudness.PEAK_CEILING_DBTP + 0.05


def test_silence_and_empty_stay_as_they_are() -> None:
    assert loudness.normalize(b"", 22050) == b""
    silent = bytes(4410)
    assert loudness.normalize(silent, 22050) == silent
    assert loudness.loudness(silent, 22050) == -math.inf


def test_true_peak_sees_intersample_peaks() -> None:
    # A quarter-rate sine sampled off its crests: sample peak 0.707, true peak 1.0.
    rate = 22050
    n = np.arange(rate)
    data = (np.sin(2 * np.pi * n / 4 + np.pi / 4) * 0.5 * 32767).astype("<i2").tobytes()
    sample_peak = 20 * math.log10(np.max(np.abs(np.frombuffer(data, "<i2"))) / 32768)
    assert loudness.true_peak(data, rate) > sample_peak + 2.5


def test_the_streamed_file_meter_agrees_with_pyloudnorm() -> None:
    """A file measured from pieces at their positions reads as pyloudnorm reads it whole."""
    import pyloudnorm

    from audionews.audio.loudness import FileMeter, granule_energies

    rate = 22050
    rng = np.random.default_rng(7)
    meter = FileMeter(rate)
    whole: list[np.ndarray] = []
    position = 0
    for _ in range(30):
        gap = int(rng.integers(1200, 15000))
        whole.append(np.zeros(gap, dtype="<i2"))
        position += gap
        size = int(rng.integers(rate // 3, 3 * rate))
        piece = (rng.standard_normal(size) * 3000 * rng.uniform(0.2, 1)).astype("<i2")
        meter.add(position, granule_energies(piece.tobytes(), rate), size)
        whole.append(piece)
        position += size
    data = np.concatenate(whole).astype(np.float64) / 32768
    assert meter.loudness() == pytest.approx(
        pyloudnorm.Meter(rate).integrated_loudness(data), abs=0.01
    )
