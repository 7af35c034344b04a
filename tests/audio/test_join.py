"""MP3 chunks encoded apart and joined: LAME's frame counts, the Info frame, exact placement.

Everything runs the real ffmpeg/LAME; the joined files are decoded by ffmpeg (which honours
the LAME tag's delay and padding, like browsers and podcast apps) and by miniaudio.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import fastcrc
import numpy as np
import pytest
from mutagen.mp3 import MP3

from audionews.audio.decode import decode_mp3
from audionews.audio.encode import encode_frames, encode_mp3, info_template
from audionews.audio.ffmpeg import ffmpeg_path
from audionews.audio.join import HEAD_SIZE, encode_chunk, is_chunk, parse_head, write_joined
from audionews.audio.mp3frames import (
    LAME_OVERHEAD,
    _lame_offset,
    count_frames,
    info_frame,
    lame_frames,
    parse_header,
    read_info,
    samples_per_frame,
)
from audionews.audio.tags import mp3_duration

RATES = [22050, 24000, 44100]


def tone(freq: float, samples: int, rate: int, level: float = 0.5) -> np.ndarray:
    """A tone with 5 ms linear fades, as the renderer's segments have."""
    wave = np.sin(2 * np.pi * freq * np.arange(samples) / rate) * level
    ramp = min(samples // 2, int(0.005 * rate))
    wave[:ramp] *= np.linspace(0, 1, ramp)
    wave[samples - ramp :] *= np.linspace(1, 0, ramp)
    return wave


def pcm16(wave: np.ndarray) -> bytes:
    return (wave * 32767).astype("<i2").tobytes()


def ffmpeg_decode(path: Path, rate: int) -> tuple[np.ndarray, str]:
    """Decode with ffmpeg; return the samples and anything ffmpeg warned about."""
    # fmt: off
    cmd = [
        ffmpeg_path(), "-hide_banner", "-v", "warning", "-i", str(path),
        "-f", "s16le", "-ac", "1", "-ar", str(rate), "pipe:1",
    ]
    # fmt: on
    result = subprocess.run(cmd, capture_output=True, check=True)
    samples = np.frombuffer(result.stdout, dtype="<i2").astype(np.float64) / 32768
    return samples, result.stderr.decode()


@pytest.mark.parametrize("rate", RATES)
def test_lame_writes_the_frame_counts_the_planner_expects(rate: int) -> None:
    frame = samples_per_frame(rate)
    for samples in (1, frame - 1, frame, frame + 1, 2 * frame, 5000, 3 * rate + 17):
        data = encode_frames(bytes(2 * samples), rate=rate)
        assert count_frames(data) == lame_frames(samples, rate), samples
        header = parse_header(data)
        assert header is not None and header.rate == rate


def test_count_frames_refuses_what_is_not_whole_frames() -> None:
    data = encode_frames(bytes(4000), rate=22050)
    with pytest.raises(ValueError, match="cut off"):
        count_frames(data[:-10])
    with pytest.raises(ValueError, match="no MP3 frame"):
        count_frames(b"ID3" + data)


@pytest.mark.parametrize("rate", RATES)
def test_info_frame_is_the_one_ffmpeg_writes(rate: int, tmp_path: Path) -> None:
    path = tmp_path / "whole.mp3"
    encode_mp3(pcm16(tone(440, 3 * rate, rate)), path, rate=rate)
    data = path.read_bytes()
    header = parse_header(data)
    assert header is not None
    theirs, audio = data[: header.size], data[header.size :]
    tag = read_info(theirs)
    assert tag is not None and tag.samples == 3 * rate
    ours = info_frame(
        info_template(rate, 64),
        frames=tag.frames,
        audio_bytes=len(audio),
        padding=tag.padding,
        music_crc=fastcrc.crc16.arc(audio),
    )
    lame = _lame_offset(theirs)
    assert lame is not None
    toc = 4 + header.side_info + 16
    # Everything but the seek table (ffmpeg's is sampled from frame positions, ours is
    # linear) and the tag CRC over it is byte for byte what ffmpeg wrote.
    assert ours[:toc] == theirs[:toc]
    assert ours[toc + 100 : lame + 34] == theirs[toc + 100 : lame + 34]
    pairs = zip(ours[toc : toc + 100], theirs[toc : toc + 100], strict=True)
    assert max(abs(a - b) for a, b in pairs) <= 4
    # The tag CRC is computed the way ffmpeg computes it: with ffmpeg's table it matches.
    patched = bytearray(ours)
    patched[toc : toc + 100] = theirs[toc : toc + 100]
    patched[lame + 34 : lame + 36] = b"\0\0"
    assert (
        fastcrc.crc16.arc(bytes(patched[:190])).to_bytes(2, "big") == theirs[lame + 34 : lame + 36]
    )


def test_a_damaged_chunk_is_not_taken_for_one(tmp_path: Path) -> None:
    chunk = encode_chunk(pcm16(tone(440, 22050, 22050)), rate=22050, bitrate_kbps=64)
    path = tmp_path / "chunk"
    path.write_bytes(chunk)
    assert is_chunk(path)
    body = bytearray(chunk)
    body[HEAD_SIZE + 500 : HEAD_SIZE + 600] = bytes(100)
    for damaged in (b"", chunk[:HEAD_SIZE], chunk[:-300], bytes(body), chunk + b"x"):
        path.write_bytes(damaged)
        assert not is_chunk(path)
    assert not is_chunk(tmp_path / "missing")


def test_an_empty_stretch_still_makes_a_chunk() -> None:
    # a segment that was all silence is trimmed to nothing; its chunk is a few silent frames
    chunk = encode_chunk(b"", rate=22050, bitrate_kbps=64)
    head = parse_head(chunk)
    assert head.samples == 0 and head.frames == lame_frames(1, 22050)


def test_chunk_header_round_trip_and_refusal() -> None:
    chunk = encode_chunk(bytes(2 * 1000), rate=22050, bitrate_kbps=64)
    head = parse_head(chunk)
    assert head.samples == 1000 and head.frames == lame_frames(1000, 22050)
    assert count_frames(chunk[HEAD_SIZE:]) == head.frames
    for bad in (b"", b"ANC1", b"XXXX" + chunk[4:]):
        with pytest.raises(ValueError):
            parse_head(bad)


@pytest.mark.parametrize("rate", RATES)
def test_joined_chunks_play_every_sample_where_it_belongs(rate: int, tmp_path: Path) -> None:
    frame = samples_per_frame(rate)
    first, second, third = (
        tone(440, rate // 2, rate),
        tone(660, rate // 3, rate),
        tone(330, 777, rate),
    )
    # Each chunk but the last ends with silence so the whole chunk fills whole frames and the
    # next one starts at a known place; the silence must hold LAME's delay and padding.
    pause = int(0.4 * rate)
    chunks, ideal_parts, position = [], [], 0
    for number, wave in enumerate((first, second, third)):
        last = number == 2
        n = len(wave)
        tail = 0 if last else (n + pause) // frame * frame - LAME_OVERHEAD - n
        chunk = encode_chunk(
            pcm16(np.concatenate([wave, np.zeros(tail)])), rate=rate, bitrate_kbps=64
        )
        path = tmp_path / f"{number}.chunk"
        path.write_bytes(chunk)
        chunks.append(path)
        ideal_parts.append((position, wave))
        if not last:
            position += parse_head(chunk).frames * frame
    samples = position + len(third)
    joined = tmp_path / "joined.mp3"
    write_joined(joined, chunks, rate=rate, bitrate_kbps=64, samples=samples)

    ideal = np.zeros(samples)
    for start, wave in ideal_parts:
        ideal[start : start + len(wave)] = wave
    assert mp3_duration(joined) == pytest.approx(samples / rate, abs=1e-9)
    assert MP3(joined).info.sample_rate == rate
    decoded, warnings = ffmpeg_decode(joined, rate)
    assert warnings == ""
    assert len(decoded) == samples  # gapless: no delay, no padding
    _assert_aligned(decoded, ideal)
    via_miniaudio = np.frombuffer(decode_mp3(joined.read_bytes(), rate), dtype="<i2") / 32768
    _assert_aligned(via_miniaudio[:samples], ideal)


def _assert_aligned(decoded: np.ndarray, ideal: np.ndarray) -> None:
    """The decoded signal matches the ideal one at lag 0, closely."""
    lags = range(-40, 41)
    scores = [float(np.dot(np.roll(decoded, lag), ideal)) for lag in lags]
    assert list(lags)[int(np.argmax(scores))] == 0
    noise = decoded - ideal
    snr = 10 * np.log10(np.sum(ideal**2) / np.sum(noise**2))
    assert snr > 25, snr


def test_joining_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_joined(tmp_path / "x.mp3", [], rate=22050, bitrate_kbps=64, samples=0)
