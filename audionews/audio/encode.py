"""Stream PCM into MP3 files through ffmpeg's libmp3lame."""

from __future__ import annotations

import contextlib
import functools
import math
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from . import RATE
from .ffmpeg import ffmpeg_path
from .mp3frames import parse_header, samples_per_frame

# How much of ffmpeg's stderr to quote in an EncodeError.
_STDERR_LINES = 8
# encode_mp3 feeds this many bytes per write, so slicing never copies the whole buffer at once.
_CHUNK = 1 << 20


class EncodeError(RuntimeError):
    """ffmpeg could not write the MP3 file."""


def _command(rate: int, bitrate_kbps: int, *, xing: bool, output: str) -> list[str]:
    """Return the ffmpeg command that encodes s16le mono PCM from stdin to `output`."""
    # fmt: off
    return [
        ffmpeg_path(), "-hide_banner", "-nostats", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-map_metadata", "-1",
        # Quality 5 is LAME's own default: 1.5x faster than ffmpeg's 3, alike for speech.
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-compression_level", "5",
        "-ar", str(rate), "-ac", "1",
        "-write_xing", "1" if xing else "0", "-id3v2_version", "0", "-write_id3v1", "0",
        "-f", "mp3", output,
    ]
    # fmt: on


class Mp3Encoder:
    """Feed PCM chunks to an ffmpeg (libmp3lame) process writing `path`.

    The output is mono CBR MP3 at `rate` Hz with a Xing/LAME header (frame count and
    gapless delay/padding, so players and `tags.mp3_duration` get the exact length) and
    no ID3 tag; add tags afterwards with `tags.write_tags`.
    ffmpeg writes the file itself and its stderr goes to an anonymous temporary file,
    so `write` only ever waits for ffmpeg to consume input: one thread can feed
    several encoders in turn without deadlock.
    """

    def __init__(self, path: Path, *, rate: int = RATE, bitrate_kbps: int = 64) -> None:
        if bitrate_kbps <= 0 or rate <= 0:
            raise ValueError(f"invalid rate {rate} or bitrate {bitrate_kbps}")
        self.path = Path(path)
        self.rate = rate
        self.bitrate_kbps = bitrate_kbps
        # Held open for the encoder's lifetime and closed in close()/abort().
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        cmd = _command(rate, bitrate_kbps, xing=True, output=str(self.path))
        try:
            self._proc: subprocess.Popen[bytes] = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
        except OSError:
            self._stderr.close()
            raise
        self._done = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, pcm: bytes) -> None:
        """Send a chunk of s16le mono PCM to the encoder."""
        if self._done:
            raise EncodeError(f"encoder for {self.path.name} is already closed")
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(pcm)
        except BrokenPipeError:
            # ffmpeg exited early (bad path, full disk): report its reason, not the pipe.
            message = self._failure_message()
            self.abort()
            raise EncodeError(message) from None

    def close(self) -> None:
        """Finish the file and wait for ffmpeg; raise EncodeError if it failed."""
        if self._done:
            return
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
        returncode = self._proc.wait()
        if returncode != 0:
            message = self._failure_message()
            self.abort()
            raise EncodeError(message)
        self._done = True
        self._stderr.close()

    def abort(self) -> None:
        """Kill ffmpeg and remove the partial file."""
        if self._done:
            return
        self._done = True
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._proc.stdin.close()
        self._proc.wait()
        self._stderr.close()
        self.path.unlink(missing_ok=True)

    def _failure_message(self) -> str:
        returncode = self._proc.wait()
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        detail = "\n".join(lines[-_STDERR_LINES:]) or "no message"
        return f"ffmpeg could not write {self.path} (exit {returncode}): {detail}"


def encode_mp3(pcm: bytes, path: Path, *, rate: int = RATE, bitrate_kbps: int = 64) -> None:
    """Encode a whole PCM buffer to an MP3 file at `path`."""
    with Mp3Encoder(path, rate=rate, bitrate_kbps=bitrate_kbps) as encoder:
        for start in range(0, len(pcm), _CHUNK):
            encoder.write(pcm[start : start + _CHUNK])


def encode_frames(pcm: bytes, *, rate: int = RATE, bitrate_kbps: int = 64) -> bytes:
    """Return the bare MP3 frames (no Info frame, no tags) LAME makes of a PCM buffer.

    The pieces that `join.write_joined` puts together into one file.
    """
    if bitrate_kbps <= 0 or rate <= 0:
        raise ValueError(f"invalid rate {rate} or bitrate {bitrate_kbps}")
    cmd = _command(rate, bitrate_kbps, xing=False, output="pipe:1")
    result = subprocess.run(cmd, input=pcm, capture_output=True, check=False)
    if result.returncode != 0 or not result.stdout:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = "\n".join(lines[-_STDERR_LINES:]) or "no message"
        code = result.returncode
        raise EncodeError(f"ffmpeg could not encode MP3 frames (exit {code}): {detail}")
    return result.stdout


@functools.cache
def info_template(rate: int, bitrate_kbps: int) -> bytes:
    """Return the Xing/Info frame (with its LAME tag) that ffmpeg writes at `rate` and bit rate.

    `mp3frames.info_frame` fills it in for a joined file, so the file carries the very
    header layout and encoder signature that ffmpeg's own files have.
    """
    with tempfile.TemporaryDirectory(prefix="audionews-info-") as tmp:
        path = Path(tmp) / "info.mp3"
        encode_mp3(bytes(2 * samples_per_frame(rate)), path, rate=rate, bitrate_kbps=bitrate_kbps)
        data = path.read_bytes()
    header = parse_header(data)
    if header is None:
        raise EncodeError("ffmpeg wrote no MP3 frame")
    return data[: header.size]


@functools.cache
def encoder_gain_db(rate: int, bitrate_kbps: int) -> float:
    """Return how much louder (dB, negative: quieter) a decoded MP3 is than the PCM encoded.

    LAME as ffmpeg drives it plays about 0.45 dB quieter than its input (a scale of 0.95),
    at every level and frequency that speech has: a file's loudness correction makes up for
    it. Measured once per process on a 1 kHz tone, so another encoder build is measured too.
    """
    import numpy as np

    from .decode import decode_mp3

    count = rate
    tone = np.round(3277 * np.sin(2 * np.pi * 1000 * np.arange(count) / rate)).astype("<i2")
    with tempfile.TemporaryDirectory(prefix="audionews-gain-") as tmp:
        path = Path(tmp) / "tone.mp3"
        encode_mp3(tone.tobytes(), path, rate=rate, bitrate_kbps=bitrate_kbps)
        decoded = np.frombuffer(decode_mp3(path.read_bytes(), rate), dtype="<i2")
    # The middle half: away from the encoder's delay and the ends.
    start, stop = count // 4, 3 * count // 4
    energy_in = float(np.sum(tone[start:stop].astype(np.float64) ** 2))
    energy_out = float(np.sum(decoded[start:stop].astype(np.float64) ** 2))
    if not energy_in or not energy_out:
        return 0.0
    return 10 * math.log10(energy_out / energy_in)
