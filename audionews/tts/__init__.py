"""Text-to-speech engines (gTTS online, espeak-ng offline) and the fallback policy."""

from .base import Clip, Engine, EngineError, EngineUnavailable
from .chain import EngineChain
from .espeak_engine import EspeakEngine
from .gtts_engine import GTTSEngine
from .registry import UnknownEngine, create, names, register

register("gtts", GTTSEngine.from_settings)
register("espeak", EspeakEngine.from_settings)

__all__ = [
    "Clip",
    "Engine",
    "EngineChain",
    "EngineError",
    "EngineUnavailable",
    "EspeakEngine",
    "GTTSEngine",
    "UnknownEngine",
    "create",
    "names",
    "register",
]
