"""One gTTS budget for a whole deployment: requests in flight, requests per second, pauses.

Google answers 429 to clients that send too much; what counts is everything one deployment sends,
not one render or one process. So every gTTS request first takes a slot from the budget:

- at most `max_concurrent` requests in flight (GTTS_MAX_CONCURRENT);
- at most `rate` requests started per second (GTTS_RATE; 0 = no rate limit), spaced evenly;
- none while a pause is set: a 429 (with its Retry-After) seen by any process pauses all.

`RedisBudget` keeps this in the broker's Redis, so all `audionews worker` processes on all hosts
share it: the slots are leases in a sorted set that expire on their own, so a worker killed in the
middle of a request frees its slot after `lease` seconds; the times are Redis's clock, so hosts
need not agree on theirs. `LocalBudget` is the same for the threads of one process (embedded
mode, no Redis).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis

from .. import shared_redis
from .base import EngineUnavailable

log = logging.getLogger(__name__)

# A pause longer than this is not waited out inside a render: the render falls back instead.
MAX_WAIT = 10.0
POLL_MIN, POLL_MAX = 0.005, 0.05


class BudgetPaused(EngineUnavailable):
    """Google asked for a pause longer than a render should wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"gTTS pausiert noch {seconds:.0f} s (Google bat um eine Pause)")
        self.seconds = seconds


@dataclass(frozen=True)
class BudgetState:
    in_flight: int
    paused_for: float  # seconds until the pause ends (0: none)
    max_concurrent: int
    rate: float


class Budget(Protocol):
    max_concurrent: int
    rate: float

    def slot(self) -> AbstractContextManager[None]:
        """Wait for a free slot (pause over, rate and concurrency allow), hold it in the block."""
        ...

    def pause(self, seconds: float) -> None:
        """Let no process send for `seconds` from now (never shortens a longer pause)."""
        ...

    def state(self) -> BudgetState:
        """Return the slots in use and the pause left."""
        ...


def _poll_delay(attempt: int) -> float:
    """Return how long to wait before asking again: short at first, with jitter."""
    return min(POLL_MAX, POLL_MIN * 2**attempt) * random.uniform(0.5, 1.0)


class LocalBudget:
    """The budget of one process (embedded mode): a condition variable and a clock."""

    def __init__(
        self,
        max_concurrent: int,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.max_concurrent = max(1, int(max_concurrent))
        self.rate = max(0.0, float(rate))
        self.max_wait = max_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._in_flight = 0
        self._next_start = float("-inf")
        self._paused_until = float("-inf")

    def _wait_needed(self, now: float) -> float | None:
        """Return 0 when a slot can be taken now, seconds to wait, or None (wait for a release)."""
        if self._paused_until > now:
            return self._paused_until - now
        if self._in_flight >= self.max_concurrent:
            return None
        if self.rate and self._next_start > now:
            return self._next_start - now
        return 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            while True:
                now = self._clock()
                if self._paused_until - now > self.max_wait:
                    raise BudgetPaused(self._paused_until - now)
                wait = self._wait_needed(now)
                if wait == 0.0:
                    break
                self._cond.wait(wait)
            self._in_flight += 1
            if self.rate:
                self._next_start = max(self._next_start, now) + 1.0 / self.rate
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()

    def state(self) -> BudgetState:
        with self._cond:
            paused = max(0.0, self._paused_until - self._clock())
            return BudgetState(self._in_flight, paused, self.max_concurrent, self.rate)


# KEYS: leases (sorted set: token -> expiry ms), next start (ms), pause end (ms)
# ARGV: max in flight, lease ms, token, interval ms (0 = no rate limit)
# Returns {1, 0} with the slot taken, or {0, ms}: wait ms (0 = until a slot is released).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {0, paused - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return {0, 0} end
local interval = tonumber(ARGV[4])
if interval > 0 then
  local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
  if next_start > now then return {0, next_start - now} end
  redis.call('SET', KEYS[2], string.format('%d', now + interval), 'PX', interval + 1000)
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return {1, 0}
"""

# KEYS: pause end (ms). ARGV: pause ms. Never shortens a longer pause.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if want > paused then
  redis.call('SET', KEYS[1], string.format('%d', want), 'PX', tonumber(ARGV[1]))
end
return 1
"""

# KEYS: leases, pause end. Returns {in flight, pause ms left}.
_STATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local busy = redis.call('ZCOUNT', KEYS[1], now, '+inf')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
return {busy, math.max(0, paused - now)}
"""


class RedisBudget:
    """The budget of a deployment, kept in its Redis (shared by every process and host)."""

    def __init__(
        self,
        client: redis.Redis,
        max_concurrent: int,
        rate: float,
        *,
        lease_seconds: float,
        prefix: str = shared_redis.PREFIX + "gtts:",
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.client = client
        self.max_concurrent = max(1, int(max_concurrent))
        self.rate = max(0.0, float(rate))
        self.max_wait = max_wait
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        # Whole milliseconds, rounded up: never faster than the configured rate.
        self.interval_ms = math.ceil(1000 / self.rate) if self.rate else 0
        self.keys = (prefix + "leases", prefix + "next-start", prefix + "paused-until")
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)
        self._state = client.register_script(_STATE)

    @contextmanager
    def slot(self) -> Iterator[None]:
        token = uuid.uuid4().hex
        attempt = 0
        try:
            while True:
                taken, wait_ms = self._acquire(
                    keys=self.keys,
                    args=[self.max_concurrent, self.lease_ms, token, self.interval_ms],
                )
                if taken:
                    break
                if wait_ms / 1000 > self.max_wait:
                    raise BudgetPaused(wait_ms / 1000)
                # A pause or the rate says exactly how long; a full house is polled.
                time.sleep(wait_ms / 1000 if wait_ms else _poll_delay(attempt))
                attempt += 1
        except redis.RedisError as exc:
            # The script may have taken the slot before the answer was lost: give it back.
            self._release(token)
            raise EngineUnavailable(f"gTTS-Budget in Redis nicht erreichbar: {exc}") from exc
        try:
            yield
        finally:
            self._release(token)

    def _release(self, token: str) -> None:
        try:
            self.client.zrem(self.keys[0], token)
        except redis.RedisError:
            log.warning("could not release a gTTS slot; it expires by itself")

    def pause(self, seconds: float) -> None:
        try:
            self._pause(keys=[self.keys[2]], args=[max(1, int(seconds * 1000))])
        except redis.RedisError as exc:
            log.warning("could not share a gTTS pause of %.1f s: %s", seconds, exc)

    def state(self) -> BudgetState:
        busy, paused_ms = self._state(keys=[self.keys[0], self.keys[2]])
        return BudgetState(int(busy), int(paused_ms) / 1000, self.max_concurrent, self.rate)


_local: dict[tuple[int, float], LocalBudget] = {}
_shared: dict[tuple[str, int, float, float], RedisBudget] = {}
_lock = threading.Lock()


def budget_for(settings: dict[str, Any]) -> LocalBudget | RedisBudget:
    """Return this process's handle on the deployment's gTTS budget."""
    limit = int(settings.get("GTTS_MAX_CONCURRENT", 4))
    rate = float(settings.get("GTTS_RATE", 10.0))
    # A request can take its timeout to connect and again to answer; the lease outlives both.
    lease = 2 * float(settings.get("TTS_TIMEOUT", 10.0)) + 5
    url = str(settings.get("BROKER_URL") or "")
    with _lock:
        if shared_redis.is_redis(url):
            key = (url, limit, rate, lease)
            if key not in _shared:
                _shared[key] = RedisBudget(
                    shared_redis.client(url), limit, rate, lease_seconds=lease
                )
            return _shared[key]
        local_key = (limit, rate)
        if local_key not in _local:
            _local[local_key] = LocalBudget(limit, rate)
        return _local[local_key]
