"""The gTTS budget (in flight, per second, pauses) and the shared breakers, in-process and Redis.

The Redis variants use two separate clients with nothing shared in memory, as two worker
processes would; a real killed process shows that a lease frees its slot by itself.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import responses

from audionews import config, shared_redis
from audionews.tts import EngineUnavailable, GTTSEngine
from audionews.tts.breaker import CircuitBreaker, SharedBreaker, breaker_for, breakers_for
from audionews.tts.budget import BudgetPaused, LocalBudget, RedisBudget, budget_for

GOOGLE_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


class InFlight:
    """Count how many holders of a slot overlap, and when each started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.starts: list[float] = []

    def work(self, slot: Callable[[], object], seconds: float) -> None:
        with slot():  # type: ignore[attr-defined]
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
                self.starts.append(time.monotonic())
            time.sleep(seconds)
            with self.lock:
                self.now -= 1


def run_many(slots: list[Callable[[], object]], count: int, seconds: float) -> InFlight:
    seen = InFlight()
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(seen.work, slots[n % len(slots)], seconds) for n in range(count)]
        for future in futures:
            future.result()
    return seen


def gaps(starts: list[float]) -> list[float]:
    ordered = sorted(starts)
    return [b - a for a, b in itertools.pairwise(ordered)]


# In-process (embedded mode) ----------------------------------------------------------------


def test_local_budget_never_exceeds_its_limit() -> None:
    budget = LocalBudget(3, 0)
    seen = run_many([budget.slot], 24, 0.02)
    assert seen.most == 3
    assert budget.state().in_flight == 0


def test_local_budget_spaces_starts_by_the_rate() -> None:
    budget = LocalBudget(8, 20.0)  # one start every 50 ms
    seen = run_many([budget.slot], 10, 0.0)
    assert min(gaps(seen.starts)) >= 0.045
    assert max(seen.starts) - min(seen.starts) >= 9 * 0.045


def test_local_pause_holds_every_thread_and_a_long_one_is_refused() -> None:
    budget = LocalBudget(4, 0)
    budget.pause(0.3)
    started = time.monotonic()
    seen = run_many([budget.slot], 4, 0.0)
    assert min(seen.starts) - started >= 0.28
    budget.pause(60)
    with pytest.raises(BudgetPaused) as info, budget.slot():
        pass
    assert isinstance(info.value, EngineUnavailable) and info.value.seconds > 50


# Redis (the deployment) --------------------------------------------------------------------


@pytest.fixture
def two_processes(redis_url: str) -> Iterator[tuple[redis.Redis, redis.Redis]]:
    """Two clients with separate connection pools, as two worker processes have."""
    first, second = redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)
    yield first, second
    first.close()
    second.close()


def budgets(
    clients: tuple[redis.Redis, redis.Redis], limit: int, rate: float, lease: float = 30
) -> tuple[RedisBudget, RedisBudget]:
    prefix = f"test:{uuid.uuid4().hex}:"
    return (
        RedisBudget(clients[0], limit, rate, lease_seconds=lease, prefix=prefix),
        RedisBudget(clients[1], limit, rate, lease_seconds=lease, prefix=prefix),
    )


def test_redis_budget_is_one_limit_for_all_processes(
    two_processes: tuple[redis.Redis, redis.Redis],
) -> None:
    first, second = budgets(two_processes, 3, 0)
    seen = run_many([first.slot, second.slot], 24, 0.03)
    assert seen.most == 3  # reached, never passed, though each "process" asked with 12 threads
    assert first.state().in_flight == 0


def test_redis_budget_rate_is_shared(two_processes: tuple[redis.Redis, redis.Redis]) -> None:
    first, second = budgets(two_processes, 10, 20.0)  # one start every 50 ms
    asked = time.monotonic()
    seen = run_many([first.slot, second.slot], 10, 0.0)
    # The ten grants are 50 ms apart in Redis's time; a thread may note its own a little late
    # (a busy machine), so the sure measure is the span from before the first ask.
    assert max(seen.starts) - asked >= 9 * 0.050 - 0.005


def test_a_pause_set_by_one_process_holds_the_other(
    two_processes: tuple[redis.Redis, redis.Redis],
) -> None:
    first, second = budgets(two_processes, 4, 0)
    first.pause(0.5)
    assert 0.3 < second.state().paused_for <= 0.5
    started = time.monotonic()
    with second.slot():
        waited = time.monotonic() - started
    assert waited >= 0.45
    first.pause(0.2)  # never shortens a longer pause
    first.pause(40)
    first.pause(1)
    assert second.state().paused_for > 39
    with pytest.raises(BudgetPaused), second.slot():
        pass


def test_a_killed_process_frees_its_slot_when_the_lease_ends(redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, redis\n"
            "from audionews.tts.budget import RedisBudget\n"
            "budget = RedisBudget(redis.Redis.from_url(sys.argv[1]), 1, 0, lease_seconds=1.5,"
            " prefix=sys.argv[2])\n"
            "with budget.slot():\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(600)\n",
            redis_url,
            prefix,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        holder.kill()  # SIGKILL: no `finally`, no release
        holder.wait(10)
        budget = RedisBudget(
            redis.Redis.from_url(redis_url), 1, 0, lease_seconds=1.5, prefix=prefix
        )
        assert budget.state().in_flight == 1  # the dead process's lease still counts
        started = time.monotonic()
        with budget.slot():
            waited = time.monotonic() - started
        assert 0.2 < waited < 3.0  # free once the lease ran out, not never
    finally:
        if holder.poll() is None:
            holder.kill()


def test_budget_for_uses_redis_with_a_redis_broker_and_the_process_otherwise(
    redis_url: str,
) -> None:
    shared = budget_for(config.defaults() | {"BROKER_URL": redis_url, "GTTS_MAX_CONCURRENT": 2})
    assert isinstance(shared, RedisBudget) and shared.max_concurrent == 2
    local = budget_for(config.defaults() | {"GTTS_MAX_CONCURRENT": 2, "GTTS_RATE": 3})
    assert isinstance(local, LocalBudget) and local.rate == 3.0
    assert budget_for(config.defaults() | {"GTTS_MAX_CONCURRENT": 2, "GTTS_RATE": 3}) is local


def test_redis_unreachable_makes_the_engine_unavailable() -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    budget = RedisBudget(dead, 2, 0, lease_seconds=10, prefix="test:dead:")
    with pytest.raises(EngineUnavailable, match="Redis"), budget.slot():
        pass


# Breakers ----------------------------------------------------------------------------------


def test_a_breaker_tripped_by_one_process_is_open_for_all(
    two_processes: tuple[redis.Redis, redis.Redis],
) -> None:
    name = f"gtts-{uuid.uuid4().hex[:8]}"
    first = SharedBreaker(name, two_processes[0], CircuitBreaker(name))
    second = SharedBreaker(name, two_processes[1], CircuitBreaker(name))
    assert not second.is_open()
    first.trip(30)
    assert second.is_open() and 29 < second.remaining() <= 30
    assert not second.local.is_open()  # the other process learnt it from Redis alone
    first.trip(5)  # never shortens
    assert second.remaining() > 29
    second.reset()
    assert not first.is_open() or first.local.is_open()
    first.local.reset()
    assert not first.is_open()


def test_breakers_for_settings(redis_url: str) -> None:
    assert breakers_for(config.defaults()) is breaker_for
    lookup = breakers_for(config.defaults() | {"BROKER_URL": redis_url})
    assert isinstance(lookup("gtts"), SharedBreaker) and lookup("gtts") is lookup("gtts")
    assert shared_redis.for_settings({"BROKER_URL": "filesystem://"}) is None


# The engine with the budget ----------------------------------------------------------------


def test_a_429_with_retry_after_pauses_the_other_processes(
    two_processes: tuple[redis.Redis, redis.Redis], google_body: str
) -> None:
    mine, other = budgets(two_processes, 4, 0)
    sleeps: list[float] = []
    gtts = GTTSEngine(budget=mine, sleep=sleeps.append)
    answered = threading.Event()
    got_slot: list[float] = []

    def other_process() -> None:
        answered.wait(10)
        time.sleep(0.05)  # the 429 has reached the engine, which shares the pause
        with other.slot():
            got_slot.append(time.monotonic())

    def google_answers(_request: object) -> tuple[int, dict[str, str], str]:
        if answered_at:
            return 200, {}, google_body
        answered_at.append(time.monotonic())
        answered.set()
        return 429, {"Retry-After": "2"}, ""

    answered_at: list[float] = []
    waiter = threading.Thread(target=other_process)
    waiter.start()
    with responses.RequestsMock() as google:
        google.add_callback(responses.POST, GOOGLE_URL, callback=google_answers)
        assert gtts.synthesize("Die Bahn streikt.").pcm
    waiter.join(10)
    assert sleeps == [2.0]  # this process waits by its own backoff
    assert got_slot and got_slot[0] - answered_at[0] >= 1.9  # the other one by the shared pause


def test_a_long_retry_after_falls_back_at_once_everywhere(
    two_processes: tuple[redis.Redis, redis.Redis],
) -> None:
    mine, other = budgets(two_processes, 4, 0)
    sleeps: list[float] = []
    gtts = GTTSEngine(budget=mine, sleep=sleeps.append)
    with responses.RequestsMock() as google:
        google.post(GOOGLE_URL, status=429, headers={"Retry-After": "120"})
        with pytest.raises(EngineUnavailable, match="pausiert"):
            gtts.synthesize("Die Bahn streikt.")
        assert len(google.calls) == 1
    assert sleeps == []  # not waited out: the render falls back (and its breaker opens)
    with pytest.raises(BudgetPaused), other.slot():
        pass


def test_gtts_url_setting_replaces_googles_url(google_body: str) -> None:
    settings = config.load({"AUDIONEWS_GTTS_URL": "http://127.0.0.1:9/tts"})
    gtts = GTTSEngine.from_settings(settings)
    assert gtts.url == "http://127.0.0.1:9/tts"
    assert gtts.cache_options()["url"] == "http://127.0.0.1:9/tts"
    with responses.RequestsMock() as proxy:
        proxy.post("http://127.0.0.1:9/tts", body=google_body)
        assert gtts.synthesize("Guten Morgen.").pcm
        assert len(proxy.calls) == 1
    with pytest.raises(config.SettingsError, match="AUDIONEWS_GTTS_URL"):
        config.load({"AUDIONEWS_GTTS_URL": "ftp://example.org/"})
