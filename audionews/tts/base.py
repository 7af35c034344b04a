"""The speech engine protocol: text in, PCM clip out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CacheOption = str | int | float | bool


@dataclass(frozen=True)
class Clip:
    """Synthesized speech: mono s16le PCM at `rate` Hz."""

    pcm: bytes
    rate: int

    @property
    def duration(self) -> float:
        """Return the length in seconds."""
        return len(self.pcm) / 2 / self.rate if self.rate else 0.0


class EngineError(Exception):
    """Synthesis failed for this text (permanent, e.g. 4xx other than 429, undecodable answer)."""


class EngineUnavailable(EngineError):
    """The engine cannot be reached now (connection error, timeout, 429/5xx after retries)."""


class Engine(Protocol):
    """A text-to-speech engine.

    `synthesize` gets one segment (at most 100 characters, already normalized). Text that is
    empty or only whitespace gives an empty clip without any work, so callers need no special
    case for silent segments.
    """

    name: str
    voice: str
    max_concurrency: int

    @property
    def sample_rate(self) -> int:
        """Return the rate of the clips this engine makes: a render joins at this rate."""
        ...

    def cache_options(self) -> dict[str, CacheOption]:
        """Return everything besides voice and text that changes the audio."""
        ...

    def synthesize(self, text: str) -> Clip:
        """Speak `text`; raise EngineError, or EngineUnavailable when unreachable."""
        ...
