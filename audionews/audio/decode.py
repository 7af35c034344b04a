"""Decode compressed audio (gTTS MP3) to project PCM.

miniaudio decodes in-process, about 17 times faster than starting ffmpeg for each of the many
short segments a render fetches; pydub and ffmpeg remain the fallback for anything it refuses.
"""

from __future__ import annotations

import io

import miniaudio

from . import RATE, SAMPLE_WIDTH
from .ffmpeg import ffmpeg_path


class DecodeError(ValueError):
    """The bytes are not audio ffmpeg can decode."""


def decode_mp3(data: bytes, rate: int = RATE) -> bytes:
    """Return mono s16le PCM at `rate` Hz for MP3 bytes."""
    if _stream_headers(data) > 1:
        # Several MP3 streams back to back (like gTTS's own saved files): miniaudio trusts the
        # first stream's frame count and would stop there, ffmpeg reads them all.
        return _decode_with_ffmpeg(data, rate)
    try:
        decoded = miniaudio.decode(
            data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=rate
        )
    except miniaudio.DecodeError:
        return _decode_with_ffmpeg(data, rate)
    if not decoded.num_frames:
        return _decode_with_ffmpeg(data, rate)
    return bytes(decoded.samples.tobytes())


def _stream_headers(data: bytes) -> int:
    """Count the Xing/Info headers that each encoder run writes at the start of its stream."""
    return data.count(b"Xing") + data.count(b"Info")


def _decode_with_ffmpeg(data: bytes, rate: int) -> bytes:
    ffmpeg_path()
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        # format= and codec= keep pydub from calling ffprobe, which imageio-ffmpeg lacks.
        segment = AudioSegment.from_file(io.BytesIO(data), format="mp3", codec="mp3")
    except (CouldntDecodeError, IndexError) as exc:
        raise DecodeError(f"MP3 nicht lesbar: {exc}") from None
    segment = segment.set_channels(1).set_sample_width(SAMPLE_WIDTH).set_frame_rate(rate)
    return bytes(segment.raw_data)
