"""PCM helpers on real sample data; resampling through the real ffmpeg."""

from __future__ import annotations

import array
import itertools
import math

import pytest

from audionews.audio import RATE, SAMPLE_WIDTH
from audionews.audio.pcm import duration_ms, fade, resample, silence, trim_silence


def tone(freq: float, ms: float, rate: int = RATE, amplitude: float = 0.5) -> bytes:
    """Return a sine tone as s16le PCM."""
    count = round(ms * rate / 1000)
    peak = amplitude * 32767
    return array.array(
        "h", (round(peak * math.sin(2 * math.pi * freq * i / rate)) for i in range(count))
    ).tobytes()


def samples(pcm: bytes) -> array.array[int]:
    values = array.array("h")
    values.frombytes(pcm)
    return values


def zero_crossings(pcm: bytes) -> int:
    values = samples(pcm)
    return sum(1 for a, b in itertools.pairwise(values) if (a < 0) != (b < 0))


def rms(pcm: bytes) -> float:
    values = samples(pcm)
    return math.sqrt(sum(v * v for v in values) / len(values))


@pytest.mark.parametrize(
    ("ms", "rate", "count"),
    [
        (0, RATE, 0),
        (1, RATE, 24),
        (250, RATE, 6000),
        (1000, 22050, 22050),
        (10, 22050, 220),
        (3, 44100, 132),
        (7, 16000, 112),
    ],
)
def test_silence_has_exact_sample_count(ms: int, rate: int, count: int) -> None:
    pcm = silence(ms, rate)
    assert len(pcm) == count * SAMPLE_WIDTH
    assert pcm == bytes(len(pcm))


def test_silence_refuses_negative_length() -> None:
    with pytest.raises(ValueError, match="negative"):
        silence(-1)


def test_duration_ms() -> None:
    assert duration_ms(silence(1234)) == pytest.approx(1234)
    assert duration_ms(bytes(2 * 22050), 22050) == pytest.approx(1000)
    assert duration_ms(b"") == 0


@pytest.mark.parametrize(
    ("from_rate", "to_rate", "count"),
    [
        (22050, RATE, 22050),
        (22050, RATE, 1001),
        (44100, RATE, 44100),
        (RATE, 16000, 24001),
        (16000, RATE, 333),
    ],
)
def test_resample_length_is_exact(from_rate: int, to_rate: int, count: int) -> None:
    out = resample(tone(440, count * 1000 / from_rate, from_rate), from_rate, to_rate)
    assert len(out) == round(count * to_rate / from_rate) * SAMPLE_WIDTH


def test_resample_keeps_pitch() -> None:
    src = tone(440, 1000, 22050)
    out = resample(src, 22050, RATE)
    # One second of 440 Hz crosses zero 880 times.
    assert zero_crossings(src) == pytest.approx(880, abs=2)
    assert zero_crossings(out) == pytest.approx(880, abs=2)


def test_resample_keeps_level_of_high_tones() -> None:
    # Linear interpolation (audioop.ratecv) loses ~3 dB at 7 kHz; a band-limited resampler does not.
    src = tone(7000, 500, 22050)
    out = resample(src, 22050, RATE)
    assert 20 * math.log10(rms(out) / rms(src)) == pytest.approx(0, abs=0.5)


def test_resample_same_rate_and_empty_input() -> None:
    pcm = tone(440, 100)
    assert resample(pcm, RATE, RATE) == pcm
    assert resample(b"", 22050, RATE) == b""


def test_resample_refuses_odd_bytes_and_bad_rates() -> None:
    with pytest.raises(ValueError, match="multiple"):
        resample(b"\x00\x00\x00", 22050)
    with pytest.raises(ValueError, match="rates"):
        resample(b"\x00\x00", 0)


def test_trim_silence_removes_padding_and_keeps_tone() -> None:
    body = tone(440, 500)
    padded = silence(300) + body + silence(400)
    trimmed = trim_silence(padded, keep_ms=20)
    assert body in trimmed
    # The tone plus 20 ms kept on each side, give or take one 5 ms detection window.
    assert duration_ms(trimmed) == pytest.approx(540, abs=6)
    assert trimmed.startswith(silence(15)) and trimmed.endswith(silence(15))


def test_trim_silence_treats_quiet_noise_as_silence() -> None:
    hiss = tone(3000, 200, amplitude=0.001)  # about -63 dBFS RMS
    body = tone(440, 300)
    trimmed = trim_silence(hiss + body + hiss, keep_ms=0)
    assert body in trimmed
    assert duration_ms(trimmed) == pytest.approx(300, abs=6)


def test_trim_silence_of_silence_is_empty_and_loud_audio_is_untouched() -> None:
    assert trim_silence(silence(500)) == b""
    assert trim_silence(b"") == b""
    body = tone(440, 250)
    assert trim_silence(body) == body


def test_fade_zeroes_the_edges_and_keeps_the_middle() -> None:
    pcm = tone(440, 200, amplitude=0.9)
    faded = fade(pcm, ms=5)
    assert len(faded) == len(pcm)
    values, original = samples(faded), samples(pcm)
    assert values[0] == 0 and values[-1] == 0
    ramp = 120  # 5 ms at 24 kHz
    assert values[ramp:-ramp] == original[ramp:-ramp]
    for i in range(ramp):
        assert abs(values[i]) <= abs(original[i])
        assert abs(values[-1 - i]) <= abs(original[-1 - i])


def test_fade_of_tiny_input() -> None:
    assert fade(b"") == b""
    assert fade(b"\x10\x00") == b"\x10\x00"
    # Shorter than two ramps: each ramp takes half, so both ends still reach 0.
    short = array.array("h", [1000] * 10).tobytes()
    assert samples(fade(short)).tolist() == [0, 200, 400, 600, 800, 800, 600, 400, 200, 0]
