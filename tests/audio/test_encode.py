"""Streaming MP3 encoding with the real ffmpeg, checked with mutagen and a decode round trip."""

from __future__ import annotations

import array
import itertools
import resource
import subprocess
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from mutagen.mp3 import MP3, BitrateMode

from audionews.audio import RATE, SAMPLE_WIDTH
from audionews.audio.decode import decode_mp3
from audionews.audio.encode import EncodeError, Mp3Encoder, encode_mp3
from audionews.audio.ffmpeg import ffmpeg_path
from audionews.audio.tags import mp3_duration


def sine(freq: int, seconds: float, rate: int = RATE) -> bytes:
    """Return a tone rendered by ffmpeg's lavfi sine source as s16le mono PCM."""
    # fmt: off
    cmd = [
        ffmpeg_path(), "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}",
        "-f", "s16le", "-ac", "1", "-ar", str(rate), "pipe:1",
    ]
    # fmt: on
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def mp3_info(path: Path) -> Any:
    """Return mutagen's stream info (its fields are set dynamically, so untyped)."""
    return MP3(path).info


def span(pcm: bytes, start_s: float, end_s: float) -> bytes:
    """Return the PCM between two times in seconds."""
    return pcm[round(start_s * RATE) * SAMPLE_WIDTH : round(end_s * RATE) * SAMPLE_WIDTH]


def zero_crossings(pcm: bytes) -> int:
    values = array.array("h")
    values.frombytes(pcm)
    return sum(1 for a, b in itertools.pairwise(values) if (a < 0) != (b < 0))


def test_three_second_tone_makes_a_valid_mp3(tmp_path: Path) -> None:
    pcm = sine(440, 3)
    assert len(pcm) == 3 * RATE * SAMPLE_WIDTH
    path = tmp_path / "tone.mp3"
    encode_mp3(pcm, path)

    info = mp3_info(path)
    assert info.channels == 1
    assert info.sample_rate == RATE
    assert info.bitrate >= 48_000
    assert info.bitrate_mode == BitrateMode.CBR
    assert abs(info.length - 3.0) < 0.05
    # Exact once the encoder delay and padding from the LAME tag are taken off.
    assert mp3_duration(path) == pytest.approx(3.0, abs=0.002)
    # ffmpeg wrote no tags of its own: the file opens with an MPEG frame.
    assert MP3(path).tags is None
    assert path.read_bytes()[:2] == b"\xff\xf3"

    decoded = decode_mp3(path.read_bytes())
    assert len(decoded) / SAMPLE_WIDTH / RATE == pytest.approx(3.0, abs=0.01)
    assert zero_crossings(span(decoded, 1, 2)) == pytest.approx(880, abs=4)


def test_bitrate_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "tone.mp3"
    encode_mp3(sine(440, 1), path, bitrate_kbps=96)
    assert mp3_info(path).bitrate == 96_000


def test_two_encoders_fed_alternately(tmp_path: Path) -> None:
    low, high = sine(440, 2), sine(1000, 2)
    quarter = RATE // 4 * SAMPLE_WIDTH
    with Mp3Encoder(tmp_path / "a.mp3") as first, Mp3Encoder(tmp_path / "b.mp3") as second:
        for start in range(0, len(low), quarter):
            first.write(low[start : start + quarter])
            second.write(high[start : start + quarter])
    for name, crossings in (("a.mp3", 880), ("b.mp3", 2000)):
        path = tmp_path / name
        assert mp3_duration(path) == pytest.approx(2.0, abs=0.002)
        decoded = decode_mp3(path.read_bytes())
        assert zero_crossings(span(decoded, 0.5, 1.5)) == pytest.approx(crossings, abs=4)


def test_abort_kills_ffmpeg_and_removes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "partial.mp3"
    encoder = Mp3Encoder(path)
    encoder.write(sine(440, 1))
    encoder.abort()
    assert not path.exists()
    encoder.abort()  # twice is harmless
    encoder.close()  # and so is closing afterwards
    with pytest.raises(EncodeError, match="closed"):
        encoder.write(b"\x00\x00")


def test_exception_in_context_aborts(tmp_path: Path) -> None:
    path = tmp_path / "partial.mp3"
    with pytest.raises(KeyError), Mp3Encoder(path) as encoder:
        encoder.write(sine(440, 1))
        raise KeyError("render failed")
    assert not path.exists()


def test_failing_ffmpeg_raises_encode_error_with_its_message(tmp_path: Path) -> None:
    path = tmp_path / "missing-dir" / "out.mp3"
    chunk = sine(440, 1)
    with pytest.raises(EncodeError) as info, Mp3Encoder(path) as encoder:
        for _ in range(10):
            encoder.write(chunk)
    message = str(info.value)
    assert "out.mp3" in message
    assert "No such file or directory" in message
    assert not path.exists()


def test_unsupported_sample_rate_raises_encode_error(tmp_path: Path) -> None:
    path = tmp_path / "out.mp3"
    # An impossible sample rate for MP3 makes libmp3lame refuse to start.
    with pytest.raises(EncodeError, match=r"exit \d+"):
        encode_mp3(b"\x00\x00" * 1000, path, rate=12345)
    assert not path.exists()


@pytest.mark.slow
def test_thirty_minutes_stream_in_little_memory(tmp_path: Path) -> None:
    second = sine(440, 1)
    path = tmp_path / "long.mp3"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    try:
        with Mp3Encoder(path) as encoder:
            for _ in range(30 * 60):
                encoder.write(second)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024
    # ru_maxrss only grows past an earlier peak; Python's own allocations are the sharper check.
    assert peak < 4 * 1024 * 1024
    assert mp3_duration(path) == pytest.approx(1800.0, abs=0.002)
    assert path.stat().st_size == pytest.approx(1800 * 64_000 / 8, rel=0.01)
