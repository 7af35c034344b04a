"""Fallback policy, circuit breakers and the engine registry."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from audionews import config
from audionews.tts import (
    EngineChain,
    EspeakEngine,
    GTTSEngine,
    UnknownEngine,
    create,
    names,
)
from audionews.tts.breaker import CircuitBreaker, breaker_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breakers() -> dict[str, CircuitBreaker]:
    """Return breakers private to one test, on the hand-moved clock."""
    return {}


def chain_with(
    clock: Clock, breakers: dict[str, CircuitBreaker], fallback: bool = True
) -> EngineChain:
    def breaker(name: str) -> CircuitBreaker:
        return breakers.setdefault(name, CircuitBreaker(name, clock))

    return EngineChain(GTTSEngine(), EspeakEngine() if fallback else None, 300.0, breakers=breaker)


def test_primary_first_then_fallback(clock: Clock, breakers: dict[str, CircuitBreaker]) -> None:
    chain = chain_with(clock, breakers)
    assert [e.name for e in chain.engines()] == ["gtts", "espeak"]


def test_tripped_primary_is_skipped_until_the_breaker_time_is_over(
    clock: Clock, breakers: dict[str, CircuitBreaker]
) -> None:
    chain = chain_with(clock, breakers)
    chain.report_unavailable(chain.primary)
    assert [e.name for e in chain.engines()] == ["espeak"]
    clock.now += 299.0
    assert [e.name for e in chain.engines()] == ["espeak"]
    clock.now += 1.0
    assert [e.name for e in chain.engines()] == ["gtts", "espeak"]


def test_without_fallback_the_primary_is_tried_even_when_tripped(
    clock: Clock, breakers: dict[str, CircuitBreaker]
) -> None:
    chain = chain_with(clock, breakers, fallback=False)
    assert [e.name for e in chain.engines()] == ["gtts"]
    chain.report_unavailable(chain.primary)
    assert [e.name for e in chain.engines()] == ["gtts"]


def test_all_tripped_gives_all_engines_in_order(
    clock: Clock, breakers: dict[str, CircuitBreaker]
) -> None:
    chain = chain_with(clock, breakers)
    chain.report_unavailable(chain.primary)
    assert chain.fallback is not None
    chain.report_unavailable(chain.fallback)
    assert [e.name for e in chain.engines()] == ["gtts", "espeak"]


def test_breaker_trip_never_shortens_and_reset_closes(clock: Clock) -> None:
    breaker = CircuitBreaker("gtts", clock)
    assert not breaker.is_open()
    breaker.trip(60)
    breaker.trip(5)
    clock.now += 30
    assert breaker.is_open()
    assert breaker.remaining() == pytest.approx(30)
    breaker.reset()
    assert not breaker.is_open()
    assert breaker.remaining() == 0


@pytest.fixture
def process_breaker() -> Iterator[CircuitBreaker]:
    breaker = breaker_for("test-engine")
    breaker.reset()
    yield breaker
    breaker.reset()


def test_breaker_for_is_one_per_name_across_threads(process_breaker: CircuitBreaker) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(breaker_for, ["test-engine"] * 32))
    assert all(b is process_breaker for b in found)
    assert breaker_for("other-test-engine") is not process_breaker
    process_breaker.trip(60)
    assert breaker_for("test-engine").is_open()


def test_from_settings_defaults_to_gtts_with_espeak_fallback() -> None:
    chain = EngineChain.from_settings(config.defaults())
    assert chain.primary.name == "gtts"
    assert chain.fallback is not None and chain.fallback.name == "espeak"
    assert chain.breaker_seconds == 300.0


@pytest.mark.parametrize("fallback", ["", "  ", "espeak", "ESPEAK"])
def test_from_settings_empty_or_same_fallback_means_none(fallback: str) -> None:
    settings = config.load({"AUDIONEWS_TTS_ENGINE": "espeak", "AUDIONEWS_TTS_FALLBACK": fallback})
    chain = EngineChain.from_settings(settings)
    assert chain.primary.name == "espeak"
    assert chain.fallback is None
    assert [e.name for e in chain.engines()] == ["espeak"]


def test_from_settings_passes_settings_to_the_engines() -> None:
    settings = config.load(
        {"AUDIONEWS_GTTS_TLD": "de", "AUDIONEWS_TTS_TIMEOUT": "3", "AUDIONEWS_ESPEAK_RATE": "190"}
    )
    chain = EngineChain.from_settings(settings)
    assert isinstance(chain.primary, GTTSEngine) and isinstance(chain.fallback, EspeakEngine)
    assert (chain.primary.voice, chain.primary.timeout) == ("de-de", 3.0)
    assert chain.fallback.rate == 190


def test_unknown_engine_names_the_known_ones() -> None:
    assert names() == ["espeak", "gtts"]
    with pytest.raises(UnknownEngine, match=r"'polly'.*espeak, gtts"):
        create("polly", config.defaults())
    settings = config.load({"AUDIONEWS_TTS_FALLBACK": "festival"})
    with pytest.raises(ValueError, match="festival"):
        EngineChain.from_settings(settings)


def test_engine_names_ignore_case_and_spaces() -> None:
    assert create(" GTTS ", config.defaults()).name == "gtts"
