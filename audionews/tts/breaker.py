"""Process-wide circuit breakers: stop sending work to an engine that was just unreachable."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class CircuitBreaker:
    """Open for a while after `trip`, closed otherwise; safe to share between threads."""

    def __init__(self, name: str, clock: Clock = time.monotonic) -> None:
        self.name = name
        self.clock = clock
        self._lock = threading.Lock()
        self._open_until = float("-inf")

    def is_open(self) -> bool:
        """Return True while the engine should be skipped."""
        with self._lock:
            return self.clock() < self._open_until

    def remaining(self) -> float:
        """Return the seconds until the breaker closes (0 when closed)."""
        with self._lock:
            return max(0.0, self._open_until - self.clock())

    def trip(self, seconds: float) -> None:
        """Open the breaker for `seconds` from now; never shortens an open period."""
        with self._lock:
            until = self.clock() + seconds
            # Several renders may report the same outage; the last report must not cut
            # short a longer period set by another.
            self._open_until = max(self._open_until, until)
        log.warning("TTS engine %s unavailable; skipping it for %.0f s", self.name, seconds)

    def reset(self) -> None:
        """Close the breaker now."""
        with self._lock:
            self._open_until = float("-inf")


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str) -> CircuitBreaker:
    """Return the one breaker of this process for engine `name`."""
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = CircuitBreaker(name)
        return breaker
