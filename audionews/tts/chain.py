"""Fallback policy: which engine speaks a rendition, given the breakers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Engine
from .breaker import CircuitBreaker, breaker_for
from .registry import create


class EngineChain:
    """A primary engine and an optional fallback, skipping engines whose breaker is open."""

    def __init__(
        self,
        primary: Engine,
        fallback: Engine | None,
        breaker_seconds: float,
        *,
        breakers: Callable[[str], CircuitBreaker] = breaker_for,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.breaker_seconds = breaker_seconds
        self._breakers = breakers

    def engines(self) -> list[Engine]:
        """Return the engines to try, in order.

        Engines with an open breaker are left out, unless every breaker is open: then all
        are returned, since trying a doubtful engine beats failing the render unasked.
        """
        candidates = [self.primary] if self.fallback is None else [self.primary, self.fallback]
        usable = [e for e in candidates if not self._breakers(e.name).is_open()]
        return usable or candidates

    def report_unavailable(self, engine: Engine) -> None:
        """Skip `engine` for breaker_seconds, in every render of this process."""
        self._breakers(engine.name).trip(self.breaker_seconds)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> EngineChain:
        """Build the chain from TTS_ENGINE, TTS_FALLBACK and TTS_BREAKER_SECONDS."""
        primary = create(str(settings.get("TTS_ENGINE", "gtts")), settings)
        fallback_name = str(settings.get("TTS_FALLBACK", "") or "").strip().lower()
        fallback = None
        if fallback_name and fallback_name != primary.name:
            fallback = create(fallback_name, settings)
        return cls(primary, fallback, float(settings.get("TTS_BREAKER_SECONDS", 300.0)))
