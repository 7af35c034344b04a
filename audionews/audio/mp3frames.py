"""MP3 frame headers and the Xing/Info + LAME tag, as LAME (through ffmpeg) writes them.

Enough to join LAME streams that this project encoded itself into one gapless file (see
`audio/join.py`) and to read the exact playing length back (`tags.mp3_duration`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# LAME delays its output by this many samples; an MPEG layer III decoder adds 529 more.
ENCODER_DELAY = 576
DECODER_DELAY = 529
# LAME writes ceil((samples + LAME_OVERHEAD) / samples_per_frame) frames for `samples` of input:
# the delay plus at least one frame of padding (measured for MPEG-1 and MPEG-2 rates).
LAME_OVERHEAD = 1152

# ffmpeg signs the LAME tag with its own name; both it and LAME fill the gapless fields.
SIGNATURES = (b"Lavc", b"Lavf", b"LAME")

# Layer III bit rates (kbit/s) by index, for MPEG-1 and for MPEG-2/2.5.
_BITRATES = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by version bits (3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5) and rate index.
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

_XING_FRAMES, _XING_BYTES, _XING_TOC, _XING_QUALITY = 1, 2, 4, 8
_TOC_SIZE = 100
# The LAME extension: encoder (9), revision, lowpass, peak (4), gains (4), flags, bit rate,
# delay and padding (3), misc, gain, preset (2), music length (4), music CRC (2), tag CRC (2).
_LAME_SIZE = 36
_LAME_DELAY, _LAME_LENGTH, _LAME_MUSIC_CRC, _LAME_TAG_CRC = 21, 28, 32, 34
# ffmpeg's tag CRC covers the first 190 bytes of the frame, with the tag CRC field still zero.
_TAG_CRC_SPAN = 190


def samples_per_frame(rate: int) -> int:
    """Return the samples in one layer III frame at `rate` Hz (MPEG-1: 1152, else 576)."""
    return 1152 if rate >= 32000 else 576


def lame_frames(samples: int, rate: int) -> int:
    """Return how many frames LAME writes for `samples` of input at `rate` Hz."""
    per_frame = samples_per_frame(rate)
    return -(-(samples + LAME_OVERHEAD) // per_frame)


@dataclass(frozen=True)
class FrameHeader:
    """The fields of a layer III frame header that size and place the frame."""

    mpeg1: bool
    rate: int
    bitrate_kbps: int
    padded: bool
    mono: bool

    @property
    def samples(self) -> int:
        return 1152 if self.mpeg1 else 576

    @property
    def size(self) -> int:
        """Return the frame's length in bytes, header included."""
        return (144 if self.mpeg1 else 72) * self.bitrate_kbps * 1000 // self.rate + self.padded

    @property
    def side_info(self) -> int:
        if self.mpeg1:
            return 17 if self.mono else 32
        return 9 if self.mono else 17


def parse_header(data: bytes, pos: int = 0) -> FrameHeader | None:
    """Return the layer III frame header at `pos`, or None when there is none."""
    if len(data) < pos + 4:
        return None
    (word,) = struct.unpack_from(">I", data, pos)
    version, layer = (word >> 19) & 3, (word >> 17) & 3
    bitrate_index, rate_index = (word >> 12) & 15, (word >> 10) & 3
    if word >> 21 != 0x7FF or version == 1 or layer != 1:  # layer bits 01 = layer III
        return None
    if bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    return FrameHeader(
        mpeg1=mpeg1,
        rate=_RATES[version][rate_index],
        bitrate_kbps=_BITRATES[mpeg1][bitrate_index],
        padded=bool((word >> 9) & 1),
        mono=(word >> 6) & 3 == 3,
    )


def count_frames(data: bytes) -> int:
    """Return the number of frames in `data`, which must be whole frames and nothing else."""
    pos = count = 0
    while pos < len(data):
        header = parse_header(data, pos)
        if header is None:
            raise ValueError(f"no MP3 frame at byte {pos}")
        pos += header.size
        count += 1
    if pos != len(data):
        raise ValueError("the last MP3 frame is cut off")
    return count


@dataclass(frozen=True)
class InfoTag:
    """The gapless facts of a Xing/Info frame with a LAME extension."""

    frames: int  # audio frames after the Info frame
    delay: int  # encoder delay in samples
    padding: int  # samples after the end of the audio, decoder delay included
    samples_per_frame: int
    music_crc: int = 0  # CRC-16 of the audio frames after the Info frame

    @property
    def samples(self) -> int:
        """Return the playing length in samples."""
        return max(0, self.frames * self.samples_per_frame - self.delay - self.padding)


def _lame_offset(frame: bytes) -> int | None:
    """Return where the LAME extension starts in a Xing/Info `frame`, or None."""
    header = parse_header(frame)
    if header is None:
        return None
    pos = 4 + header.side_info
    if frame[pos : pos + 4] not in (b"Xing", b"Info") or len(frame) < pos + 8:
        return None
    (flags,) = struct.unpack_from(">I", frame, pos + 4)
    if not flags & _XING_FRAMES:
        return None
    pos += 8 + 4
    pos += (4 if flags & _XING_BYTES else 0) + (_TOC_SIZE if flags & _XING_TOC else 0)
    pos += 4 if flags & _XING_QUALITY else 0
    lame = frame[pos : pos + _LAME_SIZE]
    if len(lame) < _LAME_SIZE or not lame.startswith(SIGNATURES):
        return None
    return pos


def read_info(frame: bytes) -> InfoTag | None:
    """Read the Info tag of the frame at the start of `frame` (None: not one we trust)."""
    lame = _lame_offset(frame)
    header = parse_header(frame)
    if lame is None or header is None:
        return None
    (frames,) = struct.unpack_from(">I", frame, 4 + header.side_info + 8)
    delay, padding = _unpack_delay(frame[lame + _LAME_DELAY : lame + _LAME_DELAY + 3])
    (music_crc,) = struct.unpack_from(">H", frame, lame + _LAME_MUSIC_CRC)
    return InfoTag(frames, delay, padding, header.samples, music_crc)


def info_frame(
    template: bytes, *, frames: int, audio_bytes: int, padding: int, music_crc: int
) -> bytes:
    """Return `template` (an Info frame ffmpeg wrote) describing other audio.

    `frames` and `audio_bytes` count the audio after the Info frame; `padding` is the number of
    samples to drop at the end (the encoder delay stays LAME's). Fills the frame count, byte
    count, a seek table, the music length and both CRCs.
    """
    import fastcrc

    header = parse_header(template)
    lame = _lame_offset(template)
    if header is None or lame is None or len(template) != header.size:
        raise ValueError("not an Info frame with a LAME tag")
    if not 0 <= padding < 1 << 12:
        raise ValueError(f"padding out of range: {padding}")
    frame = bytearray(template)
    xing = 4 + header.side_info
    (flags,) = struct.unpack_from(">I", frame, xing + 4)
    if flags & (_XING_BYTES | _XING_TOC) != _XING_BYTES | _XING_TOC:
        raise ValueError("the Info frame has no byte count or seek table")
    total = len(frame) + audio_bytes
    struct.pack_into(">II", frame, xing + 8, frames, total)
    # The seek table: where in the file (in 256ths) each percent of the playing time starts.
    # The audio is CBR, so that is linear in the bytes after this frame; entry 0 stays 0.
    toc = [
        min(255, 256 * (len(frame) + audio_bytes * i // _TOC_SIZE) // total) for i in range(1, 100)
    ]
    frame[xing + 16 : xing + 16 + _TOC_SIZE] = bytes([0, *toc])
    frame[lame + _LAME_DELAY : lame + _LAME_DELAY + 3] = _pack_delay(ENCODER_DELAY, padding)
    struct.pack_into(">IHH", frame, lame + _LAME_LENGTH, total, music_crc, 0)
    tag_crc = fastcrc.crc16.arc(bytes(frame[:_TAG_CRC_SPAN]))
    struct.pack_into(">H", frame, lame + _LAME_TAG_CRC, tag_crc)
    return bytes(frame)


def _unpack_delay(field: bytes) -> tuple[int, int]:
    return (field[0] << 4) | (field[1] >> 4), ((field[1] & 0x0F) << 8) | field[2]


def _pack_delay(delay: int, padding: int) -> bytes:
    return bytes((delay >> 4, ((delay & 0x0F) << 4) | (padding >> 8), padding & 0xFF))
