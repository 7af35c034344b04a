"""Circuit breakers: stop sending work to an engine that was just unreachable.

One per engine and process, or one per engine for the whole deployment in its Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from .. import shared_redis

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


class SharedBreaker:
    """A breaker kept in the deployment's Redis: one process trips it, every process skips.

    The open period is a key with an expiry (Redis's clock). A process that cannot reach Redis
    still keeps its own breaker, so an outage it found is not forgotten.
    """

    def __init__(self, name: str, client: redis.Redis, local: CircuitBreaker) -> None:
        self.name = name
        self.client = client
        self.local = local
        self.key = f"{shared_redis.PREFIX}breaker:{name}"

    def _shared_remaining(self) -> float:
        try:
            ttl_ms = self.client.pttl(self.key)
        except redis.RedisError:
            return 0.0
        return max(0, int(ttl_ms)) / 1000  # -2: no key, -1: no expiry (never set so)

    def is_open(self) -> bool:
        return self.remaining() > 0

    def remaining(self) -> float:
        return max(self.local.remaining(), self._shared_remaining())

    def trip(self, seconds: float) -> None:
        self.local.trip(seconds)
        if seconds <= 0:
            return
        milliseconds = max(1, int(seconds * 1000))
        try:
            # Never shorten: keep the longer of the open period set and the one asked for.
            if self._shared_remaining() * 1000 < milliseconds:
                self.client.set(self.key, "open", px=milliseconds)
        except redis.RedisError as exc:
            log.warning("could not share the open breaker of %s: %s", self.name, exc)

    def reset(self) -> None:
        self.local.reset()
        try:
            self.client.delete(self.key)
        except redis.RedisError as exc:
            log.warning("could not close the shared breaker of %s: %s", self.name, exc)


Breaker = CircuitBreaker | SharedBreaker


def breakers_for(settings: dict[str, Any]) -> Callable[[str], Breaker]:
    """Return the breakers of the deployment: in Redis with a Redis broker, else this process's."""
    client = shared_redis.for_settings(settings)
    if client is None:
        return breaker_for
    shared: dict[str, SharedBreaker] = {}
    lock = threading.Lock()

    def lookup(name: str) -> Breaker:
        with lock:
            if name not in shared:
                shared[name] = SharedBreaker(name, client, breaker_for(name))
            return shared[name]

    return lookup
