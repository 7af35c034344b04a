"""Fixtures for TTS tests: real speech MP3s and Google's batchexecute answer format."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from typing import NamedTuple

import pytest

from audionews.audio.ffmpeg import ffmpeg_path
from audionews.tts import EspeakEngine


class SpeechMp3(NamedTuple):
    mp3: bytes
    seconds: float  # duration of the PCM that was encoded


def encode_mp3(pcm: bytes, rate: int) -> bytes:
    """Encode mono s16le PCM to MP3 with the project's ffmpeg."""
    command = [ffmpeg_path(), "-v", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1"]
    command += ["-i", "-", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "-"]
    result = subprocess.run(
        command,
        input=pcm,
        capture_output=True,
        check=True,
    )
    return result.stdout


def _batchexecute(mp3: bytes) -> str:
    """Wrap MP3 bytes the way Google's batchexecute endpoint answers gTTS."""
    audio = base64.b64encode(mp3).decode("ascii")
    return (
        ")]}'\n\n"
        f"{len(audio) + 60}\n"
        f'[["wrb.fr","jQ1olc","[\\"{audio}\\"]",null,null,null,"generic"]]\n'
        "58\n"
        '[["di",42],["af.httprm",41,"-3204387212455932135",3]]\n'
        "25\n"
        '[["e",4,null,null,1234]]\n'
    )


@pytest.fixture(scope="session")
def batchexecute() -> Callable[[bytes], str]:
    """Return the function that wraps MP3 bytes in Google's answer format."""
    return _batchexecute


@pytest.fixture(scope="session")
def speech() -> tuple[bytes, float]:
    """Return (MP3, seconds): real German speech (espeak-ng) as Google would send it."""
    clip = EspeakEngine().synthesize("Die Bahn streikt am Montag.")
    return SpeechMp3(encode_mp3(clip.pcm, clip.rate), clip.duration)


@pytest.fixture(scope="session")
def google_body(speech: SpeechMp3) -> str:
    """Return a successful batchexecute answer carrying `speech`."""
    return _batchexecute(speech.mp3)
