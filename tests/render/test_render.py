"""Rendering with real espeak audio, the segment cache and the engine fallback."""

from __future__ import annotations

import base64
import datetime as dt
import io
import threading
from pathlib import Path
from typing import Any

import pytest
import responses
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audionews import config
from audionews.audio import RATE
from audionews.audio.decode import decode_mp3
from audionews.audio.encode import encode_mp3
from audionews.render.renderer import Renderer, RenderError, RenderInput
from audionews.render.storage import Storage
from audionews.speech import build_script
from audionews.tts import Clip, EngineChain, create
from audionews.tts.breaker import breaker_for
from tests.helpers import SHORT_ARTICLE


class Counting:
    """Wrap an engine and count its synthesis calls."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.name = engine.name
        self.voice = engine.voice
        self.max_concurrency = engine.max_concurrency
        self.sample_rate = engine.sample_rate
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def cache_options(self) -> dict[str, Any]:
        return dict(self.engine.cache_options())

    def synthesize(self, text: str) -> Clip:
        with self.lock:
            self.calls.append(text)
        clip: Clip = self.engine.synthesize(text)
        return clip


def settings(**extra: Any) -> dict[str, Any]:
    values = config.defaults()
    values.update(extra)
    return values


@pytest.fixture
def espeak() -> Counting:
    return Counting(create("espeak", settings()))


@pytest.fixture(autouse=True)
def _closed_breakers() -> None:
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()


def item(**changes: str) -> RenderInput:
    fields = {k: SHORT_ARTICLE[k] for k in ("title", "summary", "body")} | changes
    return RenderInput(slug="kurzmeldung", date=dt.date(2026, 11, 25), **fields)


def pcm_rms(pcm: bytes) -> float:
    import array

    samples = array.array("h", pcm)
    if not samples:
        return 0.0
    return (sum(s * s for s in samples) / len(samples)) ** 0.5


def test_render_publishes_three_valid_mp3s(tmp_path: Path, espeak: Counting) -> None:
    storage = Storage(tmp_path)
    out = Renderer(storage, EngineChain(espeak, None, 60)).render(item())
    assert out.engine == "espeak"
    assert set(out.files) == {"summary", "body", "episode"}
    for kind, name in out.files.items():
        assert name.startswith("kurzmeldung-") and name.endswith(f"{kind}.mp3")
        path = storage.path(name)
        audio = MP3(path)
        assert audio.info.channels == 1
        assert audio.info.sample_rate == espeak.sample_rate  # one rate end to end
        assert audio.info.bitrate >= 48_000
        assert out.sizes[kind] == path.stat().st_size
        assert abs(audio.info.length - out.durations[kind]) < 0.1  # mutagen counts padding
        tags = ID3(path)
        for frame in ("TIT2", "TPE1", "TALB", "TDRC", "TLAN"):
            assert frame in tags, (kind, frame)
        assert str(tags["TLAN"]) == "deu"
    assert not list(tmp_path.glob(".tmp-*")), "no temporary files left behind"
    # episode = title + summary + body, so it is longer than both parts together
    assert out.durations["episode"] > out.durations["summary"] + out.durations["body"]


def test_cues_and_pauses_match_the_audio(tmp_path: Path, espeak: Counting) -> None:
    storage = Storage(tmp_path)
    out = Renderer(storage, EngineChain(espeak, None, 60)).render(item())
    script = build_script(SHORT_ARTICLE["title"], SHORT_ARTICLE["summary"], SHORT_ARTICLE["body"])
    assert len(out.cues) == len(script)
    # the title's chunk follows the lead-in of silence (about 0.3 s, whole MP3 frames)
    lead_in = out.options["lead_in_s"]
    assert lead_in == pytest.approx(0.3, abs=0.02)
    assert round(lead_in * espeak.sample_rate) % 576 == 0
    assert out.cues[0]["section"] == "title" and out.chapters["title"] == round(lead_in, 3)
    assert out.chapters["title"] < out.chapters["summary"] < out.chapters["body"]
    rate = espeak.sample_rate
    pcm = decode_mp3(storage.path(out.files["episode"]).read_bytes(), rate)
    # (the MP3 overlap of the first chunk reaches a few ms back into it)
    assert pcm_rms(pcm[: int((lead_in - 0.03) * rate) * 2]) < 5, "silence before the first word"
    assert out.cues[0]["start"] >= lead_in - 0.001
    decoded_seconds = len(pcm) / (2 * rate)
    last = out.cues[-1]["end"]
    # the MP3 decoder adds at most a frame or two of padding
    assert abs(decoded_seconds - last) < 0.12
    for cue, nxt, seg in zip(out.cues, out.cues[1:], script, strict=False):
        gap = nxt["start"] - cue["end"]
        following = script[seg.index + 1]
        if following.section == seg.section and following.paragraph != seg.paragraph:
            # where one MP3 chunk ends and the next begins the pause may lose up to 10 ms
            assert -0.002 < seg.pause_ms / 1000 - gap < 0.012, (seg.display, gap)
        else:
            assert abs(gap - seg.pause_ms / 1000) < 0.002  # exact
        # the middle of every pause is silent in the decoded MP3, the segments are not
        a, b = int((cue["end"] + 0.04) * rate) * 2, int((nxt["start"] - 0.04) * rate) * 2
        assert pcm_rms(pcm[a:b]) < 60, cue
        s, e = int(cue["start"] * rate) * 2, int(cue["end"] * rate) * 2
        assert pcm_rms(pcm[s:e]) > 300, cue


def test_cache_makes_rerenders_incremental(tmp_path: Path, espeak: Counting) -> None:
    storage = Storage(tmp_path)
    renderer = Renderer(storage, EngineChain(espeak, None, 60))
    first = renderer.render(item())
    calls = len(espeak.calls)
    assert first.synthesized == calls > 0

    again = renderer.render(item())
    assert len(espeak.calls) == calls, "an unchanged article synthesizes nothing"
    assert again.synthesized == 0
    assert again.files == first.files, "same content, same names"

    assert again.encoded == 0, "and encodes nothing"

    changed_body = SHORT_ARTICLE["body"].replace("Im Herbst ist es kühl.", "Im Winter ist es kalt.")
    third = renderer.render(item(body=changed_body))
    assert espeak.calls[calls:] == ["Im Winter ist es kalt."]
    assert third.synthesized == 1
    # One paragraph changed: only its MP3 chunk is encoded again, once for the body and the
    # episode alike. The first render encoded the title, the summary (as part of the episode
    # and as the end of its own file) and the body (one or two chunks): four or five. Whether
    # the body's two paragraphs share a chunk depends on where the first one ends in its last
    # MP3 frame (a cut only where it costs the pause <= 10 ms), and espeak-ng's output length
    # varies by a few samples from call to call: the new sentence may move that cut, and the
    # second paragraph then gets a chunk of its own too. Never more, and never the summary.
    # Plus the lead-in of silence that every file starts with (one chunk for all of them).
    assert first.encoded in (5, 6)
    assert third.encoded in (1, 2)
    assert third.files["summary"] == first.files["summary"]
    assert third.files["body"] != first.files["body"]


def test_empty_script_is_a_clear_error(tmp_path: Path, espeak: Counting) -> None:
    with pytest.raises(RenderError, match="keinen vorlesbaren Text"):
        Renderer(Storage(tmp_path), EngineChain(espeak, None, 60)).render(
            item(title="🙂", summary="🎉 🙂", body="")
        )


def google_body(mp3: bytes) -> str:
    """Google's batchexecute answer carrying `mp3`, as gTTS parses it."""
    payload = base64.b64encode(mp3).decode()
    return ')]}\'\n\n1\n[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]'


@pytest.fixture(scope="module")
def speech_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    clip = create("espeak", settings()).synthesize("Guten Tag, hier spricht Google.")
    from audionews.audio.pcm import resample

    path = tmp_path_factory.mktemp("mp3") / "speech.mp3"
    encode_mp3(resample(clip.pcm, clip.rate, RATE), path)
    return path.read_bytes()


BATCH_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@responses.activate
def test_gtts_engine_renders_through_google_format(tmp_path: Path, speech_mp3: bytes) -> None:
    responses.add(responses.POST, BATCH_URL, body=google_body(speech_mp3), status=200)
    gtts = Counting(create("gtts", settings()))
    out = Renderer(Storage(tmp_path), EngineChain(gtts, None, 60)).render(item())
    assert out.engine == "gtts"
    assert len(responses.calls) == len(gtts.calls) > 0
    assert out.durations["episode"] > 1.0


@responses.activate
def test_unreachable_gtts_falls_back_and_opens_the_breaker(
    tmp_path: Path, espeak: Counting
) -> None:
    responses.add(responses.POST, BATCH_URL, status=503)
    gtts = Counting(create("gtts", settings(TTS_RETRIES=2)))
    chain = EngineChain(gtts, espeak, 300)
    renderer = Renderer(Storage(tmp_path), chain)
    out = renderer.render(item())
    assert out.engine == "espeak"
    tried = len(responses.calls)
    assert tried >= 2  # retried before giving up
    # The breaker is open now: the next render goes straight to the fallback.
    out2 = renderer.render(item(title="Noch ein Titel"))
    assert out2.engine == "espeak"
    assert len(responses.calls) == tried


def test_no_engine_left_is_a_render_error(tmp_path: Path) -> None:
    gtts = create("gtts", settings(TTS_RETRIES=1))  # no network here: fails at once
    with pytest.raises(RenderError, match="gtts"):
        Renderer(Storage(tmp_path), EngineChain(gtts, None, 300)).render(item())


def test_long_sentences_are_packed_for_gtts(tmp_path: Path, espeak: Counting) -> None:
    long_sentence = (
        "Die Gewerkschaft Deutscher Lokomotivführer ruft ihre Mitglieder für Donnerstag, "
        "den 27. November, von 2:00 Uhr bis Freitag 2:00 Uhr zum Warnstreik auf, "
        "und die Bahn rechnet mit massiven Ausfällen im Fern- und Regionalverkehr."
    )
    out = Renderer(Storage(tmp_path), EngineChain(espeak, None, 60)).render(
        item(summary=long_sentence, body="Kurz.")
    )
    assert all(len(text) <= 100 for text in espeak.calls)
    pieces = [c for c in out.cues if c["section"] == "summary"]
    assert len(pieces) >= 3
    assert len({c["sentence"] for c in pieces}) == 1
    assert io is not None


def test_every_phase_reports_its_progress_in_order(tmp_path: Path, espeak: Counting) -> None:
    """Issue 10, item 3: synthesis, planning, encoding, joining and publishing all report."""
    calls: list[tuple[int, int, str]] = []
    out = Renderer(Storage(tmp_path), EngineChain(espeak, None, 60)).render(
        item(), lambda done, total, phase: calls.append((done, total, phase))
    )
    phases = [phase for _, _, phase in calls]
    assert sorted(set(phases), key=phases.index) == list(Renderer.PHASES)
    assert all(0 <= done <= total for done, total, _ in calls)
    encoding = [(d, t) for d, t, p in calls if p == "encoding" and t == out.encoded]
    assert [d for d, _ in encoding] == list(range(1, out.encoded + 1)), "after every chunk"
    joining = [(d, t) for d, t, p in calls if p == "joining"]
    assert joining[-1][0] == joining[-1][1] and len(joining) == joining[-1][1], "every chunk"
    assert calls[-1][2] == "publishing" and calls[-1][0] == calls[-1][1]
