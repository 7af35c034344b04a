"""Decoding MP3 to PCM: single streams in-process, concatenated streams completely."""

from __future__ import annotations

from pathlib import Path

import pytest

from audionews.audio import RATE
from audionews.audio.decode import DecodeError, decode_mp3
from audionews.audio.encode import encode_mp3


def tone_mp3(tmp_path: Path, name: str, seconds: float) -> bytes:
    import math
    from array import array

    samples = array(
        "h",
        (int(8000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(int(seconds * RATE))),
    )
    path = tmp_path / name
    encode_mp3(samples.tobytes(), path)
    return path.read_bytes()


def test_single_stream_decodes_to_its_length(tmp_path: Path) -> None:
    pcm = decode_mp3(tone_mp3(tmp_path, "a.mp3", 2.0))
    assert abs(len(pcm) / 2 / RATE - 2.0) < 0.06


def test_concatenated_streams_decode_completely(tmp_path: Path) -> None:
    # gTTS's own save() writes its pieces' MP3s one after another.
    data = b"".join(tone_mp3(tmp_path, f"{n}.mp3", 1.0) for n in range(3))
    pcm = decode_mp3(data)
    assert len(pcm) / 2 / RATE > 2.9


def test_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode_mp3(b"kein MP3" * 100)
