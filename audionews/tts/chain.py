"""Fallback policy: which engine speaks a rendition, given the breakers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Engine
from .breaker import Breaker, breakers_for
from .registry import create


class EngineChain:
    """A primary engine and an optional fallback, skipping engines whose breaker is open."""

    def __init__(
        self,
        primary: Engine,
        fallback: Engine | None,
        breaker_seconds: float,
        *,
        breakers: Callable[[str], Breaker] | None = None,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.breaker_seconds = breaker_seconds
        self._breakers = breakers or breakers_for({})

    def engines(self) -> list[Engine]:
        """Return the engines to try, in order.

        Engines with an open breaker are left out, unless every breaker is open: then all
        are returned, since trying a doubtful engine beats failing the render unasked.
        """
        candidates = [self.primary] if self.fallback is None else [self.primary, self.fallback]
        usable = [e for e in candidates if not self._breakers(e.name).is_open()]
        return usable or candidates

    def report_unavailable(self, engine: Engine) -> None:
        """Skip `engine` for breaker_seconds, in every render (of the deployment, with Redis)."""
        self._breakers(engine.name).trip(self.breaker_seconds)

    def breaker(self, engine: Engine) -> Breaker:
        """Return the breaker that decides whether `engine` is skipped."""
        return self._breakers(engine.name)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> EngineChain:
        """Build the chain from TTS_ENGINE, TTS_FALLBACK and TTS_BREAKER_SECONDS.

        With a Redis broker the breakers are the deployment's (tts.breaker.SharedBreaker).
        """
        primary = create(str(settings.get("TTS_ENGINE", "gtts")), settings)
        fallback_name = str(settings.get("TTS_FALLBACK", "") or "").strip().lower()
        fallback = None
        if fallback_name and fallback_name != primary.name:
            fallback = create(fallback_name, settings)
        seconds = float(settings.get("TTS_BREAKER_SECONDS", 300.0))
        return cls(primary, fallback, seconds, breakers=breakers_for(settings))
