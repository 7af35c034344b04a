"""Offline German speech with espeak-ng, loaded from the espeakng-loader wheel through ctypes."""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import threading
from array import array
from importlib import metadata
from typing import Any

from ..config import defaults
from .base import CacheOption, Clip, EngineError

# Values from espeak-ng's speak_lib.h (API revision 12).
AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE = 1
EE_OK = 0
EE_NOT_FOUND = 2
# Without this flag espeak-ng calls exit() when it cannot find its data.
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
BUFFER_MS = 200
MIN_RATE, MAX_RATE = 80, 450

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

# espeak-ng keeps one global synthesizer with global voice and parameters, and it is not
# thread-safe: every call into the library happens under this lock.
_lock = threading.Lock()
_lib: Any = None
_sample_rate = 0
_current: tuple[str, int] | None = None  # (voice, rate) the library is set to now
_chunks: list[bytes] = []


def _on_audio(wav: Any, numsamples: int, _events: Any) -> int:
    # Synchronous mode calls this on the thread inside espeak_Synth, which holds _lock.
    if wav and numsamples > 0:
        _chunks.append(ctypes.string_at(wav, numsamples * 2))
    return 0  # 0 = continue


# Module level, so the C function pointer outlives every synthesis.
_callback = _SynthCallback(_on_audio)


def _reset_lock_in_child() -> None:
    global _lock
    _lock = threading.Lock()


# A worker forked while another thread held the lock would otherwise deadlock forever.
os.register_at_fork(after_in_child=_reset_lock_in_child)


def _load() -> Any:
    """Load and initialize libespeak-ng once per process; call with _lock held."""
    global _lib, _sample_rate
    if _lib is not None:
        return _lib
    try:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_path = espeakng_loader.get_data_path()
    except (ImportError, OSError, RuntimeError) as exc:
        raise EngineError(f"espeak-ng nicht verfügbar: {exc}") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.POINTER(ctypes.c_uint),
        ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int
    rate = lib.espeak_Initialize(
        AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, data_path.encode(), ESPEAK_INITIALIZE_DONT_EXIT
    )
    if rate <= 0:
        raise EngineError(f"espeak-ng ließ sich nicht starten (Daten in {data_path})")
    lib.espeak_SetSynthCallback(_callback)
    _sample_rate = rate
    _lib = lib
    return lib


def _configure(lib: Any, voice: str, rate: int) -> None:
    """Point the global synthesizer at voice and rate; call with _lock held."""
    global _current
    if _current == (voice, rate):
        return
    _current = None
    status = lib.espeak_SetVoiceByName(voice.encode())
    if status == EE_NOT_FOUND:
        raise EngineError(f"espeak-ng kennt die Stimme {voice!r} nicht")
    if status != EE_OK:
        raise EngineError(f"espeak-ng: Stimme {voice!r} nicht gesetzt (Fehler {status})")
    # Set the rate after the voice, because choosing a voice resets the parameters.
    status = lib.espeak_SetParameter(ESPEAK_RATE, rate, 0)
    if status != EE_OK:
        raise EngineError(f"espeak-ng: Tempo {rate} nicht gesetzt (Fehler {status})")
    _current = (voice, rate)


@functools.cache
def _wheel_version() -> str:
    return metadata.version("espeakng-loader")


def sample_rate() -> int:
    """Return the library's output rate in Hz, initializing it if needed."""
    with _lock:
        _load()
        return _sample_rate


class EspeakEngine:
    """Speak German offline with espeak-ng; one synthesis at a time per process."""

    name = "espeak"
    max_concurrency = 1

    def __init__(self, voice: str = "de", rate: int | None = None) -> None:
        if rate is None:
            rate = int(defaults()["ESPEAK_RATE"])
        self.voice = voice
        # espeak-ng documents 80-450 wpm; outside that it clamps silently, which would make
        # the cache key lie about the audio.
        self.rate = min(max(int(rate), MIN_RATE), MAX_RATE)

    @property
    def sample_rate(self) -> int:
        return sample_rate()

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> EspeakEngine:
        """Build the engine from ESPEAK_VOICE and ESPEAK_RATE."""
        default = defaults()
        return cls(
            voice=str(settings.get("ESPEAK_VOICE", default["ESPEAK_VOICE"])),
            rate=int(settings.get("ESPEAK_RATE", default["ESPEAK_RATE"])),
        )

    def cache_options(self) -> dict[str, CacheOption]:
        """Return rate and library version: both change the audio."""
        return {"rate": self.rate, "espeakng_loader": _wheel_version()}

    def synthesize(self, text: str) -> Clip:
        """Speak `text` and return the PCM at the library's native rate (22050 Hz).

        The samples are not bit-identical between calls: espeak-ng's pitch flutter runs on
        across calls, which shifts the waveform by a few samples.
        """
        # A NUL would end the C string early and silently drop the rest of the text.
        data = text.replace("\0", " ").strip().encode("utf-8")
        with _lock:
            lib = _load()
            if not data:
                return Clip(b"", _sample_rate)
            _configure(lib, self.voice, self.rate)
            _chunks.clear()
            try:
                status = lib.espeak_Synth(
                    data, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
                )
                pcm = b"".join(_chunks)
            finally:
                _chunks.clear()
            rate = _sample_rate
        if status != EE_OK:
            raise EngineError(f"espeak-ng: Synthese fehlgeschlagen (Fehler {status})")
        if sys.byteorder == "big":
            samples = array("h", pcm)
            samples.byteswap()
            pcm = samples.tobytes()
        return Clip(pcm, rate)
