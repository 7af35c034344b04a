"""Read back an MP3 file that `join.write_joined` made: its frames, its length, a stretch of it.

Such a file is an ID3 tag, one Info frame and the chunks' frames, each chunk a LAME stream of
its own. Its first frames up to a chunk boundary are again a run of whole LAME streams, so they
can be joined into another file (`join.write_spans`) as they are: the daily briefing takes
each article's title and summary from its episode that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fastcrc

from .join import Span
from .mp3frames import InfoTag, parse_header, read_info

# The longest layer III frame (MPEG-1 at 320 kbit/s and 32 kHz, padded).
MAX_FRAME = 1441
_ID3_HEADER = 10


def id3_size(head: bytes) -> int:
    """Return the bytes an ID3v2 tag at the start of `head` takes (0 without one)."""
    if len(head) < _ID3_HEADER or head[:3] != b"ID3":
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)  # "syncsafe": 7 bits per byte
    footer = _ID3_HEADER if head[5] & 0x10 else 0
    return _ID3_HEADER + size + footer


@dataclass(frozen=True)
class Mp3File:
    """Where the audio frames of one of our MP3 files are, and what they hold."""

    path: Path
    offset: int  # the first audio frame, after the ID3 tag and the Info frame
    size: int  # bytes from there to the end of the file
    info: InfoTag
    rate: int
    bitrate_kbps: int

    @property
    def samples(self) -> int:
        """Return the playing length in samples."""
        return self.info.samples

    @property
    def frame_samples(self) -> int:
        return self.info.samples_per_frame

    def span(self, frames: int | None = None, skip: int = 0) -> Span:
        """Return the first `frames` audio frames (default all) but the first `skip`, checked.

        Raise ValueError when a frame header is missing or of another rate or bit rate, or the
        file ends early: a damaged file is never joined into another one.
        """
        wanted = self.info.frames if frames is None else frames
        if not 0 <= skip < wanted <= self.info.frames:
            raise ValueError(f"{self.path.name}: {wanted} of {self.info.frames} frames wanted")
        limit = min(self.size, wanted * MAX_FRAME)
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read(limit)
        pos = start = 0
        for number in range(wanted):
            if number == skip:
                start = pos
            header = parse_header(data, pos)
            if header is None or (header.rate, header.bitrate_kbps) != (
                self.rate,
                self.bitrate_kbps,
            ):
                raise ValueError(f"{self.path.name}: no frame of ours at audio frame {number}")
            pos += header.size
        if pos > len(data):
            raise ValueError(f"{self.path.name}: the file ends inside frame {wanted}")
        if frames is None and pos != self.size:
            raise ValueError(f"{self.path.name}: {self.size - pos} bytes after the last frame")
        return Span(self.path, self.offset + start, pos - start, wanted - skip)

    def check_crc(self) -> None:
        """Raise ValueError unless the audio's CRC is the one the Info frame recorded."""
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            crc = fastcrc.crc16.arc(handle.read())
        if crc != self.info.music_crc:
            raise ValueError(f"{self.path.name}: the audio's CRC does not match its Info frame")


def read_mp3(path: Path) -> Mp3File:
    """Return the layout of MP3 file `path` (ValueError: not one of ours; OSError)."""
    path = Path(path)
    with open(path, "rb") as handle:
        tag = id3_size(handle.read(_ID3_HEADER))
        handle.seek(tag)
        first = handle.read(2 * MAX_FRAME)
    header = parse_header(first)
    info = read_info(first)
    if header is None or info is None:
        raise ValueError(f"{path.name}: no Info frame with a LAME tag")
    # The audio's format, from its first frame: LAME may give the Info frame another bit rate.
    audio = parse_header(first, header.size)
    if audio is None:
        raise ValueError(f"{path.name}: no audio frame after the Info frame")
    offset = tag + header.size
    return Mp3File(path, offset, path.stat().st_size - offset, info, audio.rate, audio.bitrate_kbps)
