"""Join MP3 chunks that LAME encoded separately into one gapless, valid MP3 file.

A chunk is the bare frames LAME made of one stretch of PCM, behind a small header with its
frame and sample counts. Every chunk starts with LAME's encoder delay and ends with its
padding, both silent, so chunks join without a click where their PCM starts and ends in
silence: the renderer cuts only inside pauses and sizes the silence at each cut so the pause
keeps its length (to within one frame). The joined file gets one Xing/Info frame with a LAME
tag: frame count, seek table, the delay and padding of the file as a whole and both CRCs,
exactly as ffmpeg writes them for a file it encoded in one go.

Why not "encode once" (DESIGN.md): re-encoding a 30-minute episode after one corrected
sentence costs seconds; a chunk is encoded once and reused by the summary, the body and the
episode, and by every later revision that leaves its stretch alone. The rule against gluing
MP3 bytes guards against other encoders' files (gTTS's streams differ in rate, carry their own
headers and unknown delays); these chunks are all ours, at one rate and bit rate, bare frames.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import fastcrc

from .encode import EncodeError, encode_frames, info_template
from .mp3frames import ENCODER_DELAY, count_frames, info_frame, samples_per_frame

_MAGIC = b"ANC1"
_HEAD = struct.Struct("<4sII")  # magic, frames, samples of PCM encoded
HEAD_SIZE = _HEAD.size
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class ChunkHead:
    frames: int
    samples: int


def encode_chunk(pcm: bytes, *, rate: int, bitrate_kbps: int) -> bytes:
    """Encode s16le mono `pcm` alone; return the chunk (header + bare MP3 frames)."""
    frames_data = encode_frames(pcm, rate=rate, bitrate_kbps=bitrate_kbps)
    try:
        frames = count_frames(frames_data)
    except ValueError as exc:
        raise EncodeError(f"ffmpeg wrote broken MP3 frames: {exc}") from None
    return _HEAD.pack(_MAGIC, frames, len(pcm) // 2) + frames_data


def read_head(chunk: bytes) -> ChunkHead:
    """Return the header of a chunk; ValueError when `chunk` is not one."""
    if len(chunk) < HEAD_SIZE:
        raise ValueError("chunk too short")
    magic, frames, samples = _HEAD.unpack_from(chunk)
    if magic != _MAGIC or frames <= 0:
        raise ValueError("not an MP3 chunk")
    return ChunkHead(frames, samples)


def write_joined(
    path: Path, chunks: Sequence[Path], *, rate: int, bitrate_kbps: int, samples: int
) -> None:
    """Write the chunk files `chunks`, in order, as one MP3 file at `path` (no ID3 tag yet).

    `samples` is the playing length: the file ends that many samples after the start of the
    first chunk's PCM, and the padding in the LAME tag drops the rest.
    """
    if not chunks:
        raise ValueError("no chunks to join")
    heads = []
    audio_bytes = 0
    for chunk in chunks:
        with open(chunk, "rb") as handle:
            heads.append(read_head(handle.read(HEAD_SIZE)))
        audio_bytes += chunk.stat().st_size - HEAD_SIZE
    frames = sum(head.frames for head in heads)
    padding = frames * samples_per_frame(rate) - ENCODER_DELAY - samples
    template = info_template(rate, bitrate_kbps)

    def info(music_crc: int) -> bytes:
        return info_frame(
            template, frames=frames, audio_bytes=audio_bytes, padding=padding, music_crc=music_crc
        )

    crc = 0
    with open(path, "wb") as out:
        out.write(info(0))
        for chunk in chunks:
            with open(chunk, "rb") as handle:
                handle.seek(HEAD_SIZE)
                while block := handle.read(_COPY_BLOCK):
                    crc = fastcrc.crc16.arc(block, crc)
                    out.write(block)
        out.seek(0)
        out.write(info(crc))
