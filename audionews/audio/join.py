"""Join MP3 chunks that LAME encoded separately into one gapless, valid MP3 file.

A chunk is the bare frames LAME made of one stretch of PCM, behind a small header with its
frame and sample counts, its length, its CRC and its BLAKE2b digest (what a read checks).
Every chunk starts with LAME's encoder delay and ends with its padding, both silent, so chunks
join without a click where their PCM starts and ends in silence: `render/assemble.py` cuts
only inside pauses and sizes the silence at each cut.
The joined file gets one Xing/Info frame with a LAME tag: frame count, byte count, seek table
(linear, the audio being CBR), the delay and padding of the file as a whole and both CRCs,
laid out as ffmpeg writes them for a file it encoded in one go.

Why not "encode each MP3 once" (the design brief, DESIGN.md): re-encoding a 30-minute episode
after one corrected sentence costs seconds; a chunk is encoded once and reused by the summary,
the body and the episode, and by every later revision that leaves its stretch alone. The rule
against gluing MP3 bytes guards against other encoders' files (gTTS's streams differ in rate,
carry their own headers and unknown delays); these chunks are all ours, at one rate and bit
rate, bare frames.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastcrc

from . import SAMPLE_WIDTH
from .encode import EncodeError, encode_frames, info_template
from .mp3frames import ENCODER_DELAY, count_frames, info_frame, samples_per_frame

# Version 3 added the digest: an older chunk ("ANC2") is not taken for one and is encoded again.
_MAGIC = b"ANC3"
# magic, frames, samples encoded, bytes of frames, their CRC-16, their BLAKE2b-128 digest
_HEAD = struct.Struct("<4sIIIH16s")
HEAD_SIZE = _HEAD.size
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class ChunkHead:
    frames: int
    samples: int
    size: int  # bytes of MP3 frames after the header
    crc: int  # CRC-16 (as in the LAME tag) of those bytes
    digest: bytes = b""  # BLAKE2b-128 of those bytes: what a read verifies


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def encode_chunk(pcm: bytes, *, rate: int, bitrate_kbps: int) -> bytes:
    """Encode s16le mono `pcm` alone; return the chunk (header + bare MP3 frames)."""
    # LAME makes nothing of nothing; one silent sample gives the frames of an empty stretch
    # (a segment that was all silence), and the file's padding drops it again.
    frames_data = encode_frames(pcm or bytes(SAMPLE_WIDTH), rate=rate, bitrate_kbps=bitrate_kbps)
    try:
        frames = count_frames(frames_data)
    except ValueError as exc:
        raise EncodeError(f"ffmpeg wrote broken MP3 frames: {exc}") from None
    crc = fastcrc.crc16.arc(frames_data)
    samples = len(pcm) // SAMPLE_WIDTH
    head = _HEAD.pack(_MAGIC, frames, samples, len(frames_data), crc, _digest(frames_data))
    return head + frames_data


def parse_head(data: bytes) -> ChunkHead:
    """Return the header at the start of `data`; ValueError when it is not a chunk's."""
    if len(data) < HEAD_SIZE:
        raise ValueError("chunk too short")
    magic, frames, samples, size, crc, digest = _HEAD.unpack_from(data)
    if magic != _MAGIC or frames <= 0:
        raise ValueError("not an MP3 chunk (or one of an older version)")
    return ChunkHead(frames, samples, size, crc, digest)


def read_head(path: Path) -> ChunkHead:
    """Return the header of chunk file `path` (OSError, ValueError)."""
    with open(path, "rb") as handle:
        return parse_head(handle.read(HEAD_SIZE))


def chunk_problem(path: Path) -> str | None:
    """Return what is wrong with chunk file `path` ("missing", or the damage), None when whole.

    Whole means: the header is a chunk's, and the length and digest of the frames after it
    are the ones recorded when it was written.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable: {exc}"
    try:
        head = parse_head(data)
    except ValueError as exc:
        return f"{exc} ({len(data)} bytes)"
    body = memoryview(data)[HEAD_SIZE:]
    if len(body) != head.size:
        return f"{len(body)} bytes of frames, {head.size} recorded"
    if _digest(body) != head.digest or fastcrc.crc16.arc(body) != head.crc:
        return "checksum mismatch"
    return None


def is_chunk(path: Path) -> bool:
    """Return whether `path` holds a whole, undamaged chunk (its length and digest check out)."""
    return chunk_problem(path) is None


@dataclass(frozen=True)
class Span:
    """A run of whole MP3 frames in a file: a chunk's, or a stretch of a joined MP3 we made."""

    path: Path
    offset: int  # the byte where the frames start
    size: int  # bytes of frames
    frames: int


def chunk_span(path: Path) -> Span:
    """Return the frames of chunk file `path` (OSError, ValueError)."""
    head = read_head(path)
    return Span(Path(path), HEAD_SIZE, head.size, head.frames)


def write_joined(
    path: Path,
    chunks: Sequence[Path],
    *,
    rate: int,
    bitrate_kbps: int,
    samples: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the chunk files `chunks`, in order, as one MP3 file at `path` (no ID3 tag yet).

    `samples` is the playing length: the file ends that many samples after the start of the
    first chunk's PCM, and the padding in the LAME tag drops the rest.
    """
    spans = [chunk_span(chunk) for chunk in chunks]
    write_spans(
        path, spans, rate=rate, bitrate_kbps=bitrate_kbps, samples=samples, progress=progress
    )


def write_spans(
    path: Path,
    spans: Sequence[Span],
    *,
    rate: int,
    bitrate_kbps: int,
    samples: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the frames of `spans`, in order, as one MP3 file at `path` (no ID3 tag yet).

    Every span must start where LAME started a stream (a chunk, or a joined file's first
    frame or a chunk boundary inside it) and be at this rate and bit rate; see `write_joined`.
    """
    if not spans:
        raise ValueError("no chunks to join")
    audio_bytes = sum(span.size for span in spans)
    frames = sum(span.frames for span in spans)
    padding = frames * samples_per_frame(rate) - ENCODER_DELAY - samples
    template = info_template(rate, bitrate_kbps)

    def info(music_crc: int) -> bytes:
        return info_frame(
            template, frames=frames, audio_bytes=audio_bytes, padding=padding, music_crc=music_crc
        )

    crc = 0
    with open(path, "wb") as out:
        out.write(info(0))
        for number, span in enumerate(spans, start=1):
            with open(span.path, "rb") as handle:
                handle.seek(span.offset)
                left = span.size
                while left and (block := handle.read(min(_COPY_BLOCK, left))):
                    crc = fastcrc.crc16.arc(block, crc)
                    out.write(block)
                    left -= len(block)
            if left:
                raise ValueError(f"{span.path} ends {left} bytes before its frames do")
            if progress:
                progress(number, len(spans))
        out.seek(0)
        out.write(info(crc))
