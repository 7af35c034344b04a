"""espeak-ng engine: real synthesis through the wheel's library."""

from __future__ import annotations

from array import array
from concurrent.futures import ThreadPoolExecutor

import pytest

from audionews import config
from audionews.tts import Clip, EngineError, EspeakEngine, create
from audionews.tts.espeak_engine import sample_rate

SENTENCE = "Die Deutsche Bahn kündigt für Montag einen bundesweiten Streik an."


def peak(clip: Clip) -> int:
    return max((abs(s) for s in array("h", clip.pcm)), default=0)


def test_sentence_gives_plausible_speech() -> None:
    clip = EspeakEngine().synthesize(SENTENCE)
    assert clip.rate == 22050 == sample_rate()
    assert len(clip.pcm) % 2 == 0
    assert 1.0 < clip.duration < 6.0
    assert peak(clip) > 3000


def test_rate_setting_changes_duration() -> None:
    slow = EspeakEngine(rate=100).synthesize(SENTENCE)
    fast = EspeakEngine(rate=300).synthesize(SENTENCE)
    assert slow.duration > 1.8 * fast.duration


def test_rate_is_clamped_to_espeak_range_and_part_of_cache_options() -> None:
    assert EspeakEngine(rate=10).rate == 80
    assert EspeakEngine(rate=1000).rate == 450
    assert EspeakEngine(rate=150).cache_options() != EspeakEngine(rate=160).cache_options()


def test_umlauts_and_sharp_s_are_spoken_as_letters() -> None:
    engine = EspeakEngine()
    umlauts = engine.synthesize("Grüße aus Köln: Öl, Äpfel und Straßen.")
    assert 1.0 < umlauts.duration < 5.0
    assert peak(umlauts) > 3000
    # Read as Latin-1, "ü" would become two spelled-out symbols and differ in length a lot.
    plain = engine.synthesize("Grusse aus Koln: Ol, Apfel und Strassen.")
    assert umlauts.pcm != plain.pcm
    assert abs(umlauts.duration - plain.duration) < 0.6


def test_concurrent_calls_from_threads_match_sequential_results() -> None:
    engine = EspeakEngine()
    # Clearly different lengths, so audio mixed up between threads would show.
    texts = [" ".join(["Der Zug fährt heute ab."] * n) for n in range(1, 9)]
    expected = [engine.synthesize(t) for t in texts]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(engine.synthesize, texts * 3))
    for text, clip in zip(texts * 3, results, strict=True):
        reference = expected[texts.index(text)]
        assert clip.rate == reference.rate
        # espeak-ng's pitch flutter carries over between calls: a few samples of difference.
        assert abs(clip.duration - reference.duration) < 0.05
        assert peak(clip) > 3000


def test_engines_with_different_settings_do_not_leak_into_each_other() -> None:
    slow, fast = EspeakEngine(rate=100), EspeakEngine(rate=300)
    first = slow.synthesize(SENTENCE)
    fast.synthesize(SENTENCE)
    assert abs(slow.synthesize(SENTENCE).duration - first.duration) < 0.05


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_empty_clip(text: str) -> None:
    assert EspeakEngine().synthesize(text) == Clip(b"", 22050)


def test_unknown_voice_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="Stimme"):
        EspeakEngine(voice="xx-keine-stimme").synthesize("Hallo")
    # The library must stay usable after the failed voice change.
    assert EspeakEngine().synthesize("Hallo").pcm


def test_created_from_settings_through_the_registry() -> None:
    settings = config.load({"AUDIONEWS_ESPEAK_RATE": "200"})
    engine = create("espeak", settings)
    assert (engine.name, engine.voice, engine.max_concurrency) == ("espeak", "de", 1)
    assert engine.cache_options()["rate"] == 200
    assert engine.synthesize("Guten Morgen.").pcm


def test_the_engine_speaks_at_the_configured_default_rate() -> None:
    from audionews.tts.espeak_engine import EspeakEngine

    # One default, in the settings table: the engine built without settings agrees with it.
    assert EspeakEngine().rate == config.defaults()["ESPEAK_RATE"] == 145
    assert EspeakEngine.from_settings({}).rate == 145
