"""The daily briefing as a file: real espeak renders joined from their episodes' own frames.

The module renders three articles once (one without a body, one whose summary has a sentence
spoken in pieces) and builds their briefing; the tests decode it with ffmpeg and compare.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audionews import config
from audionews.audio.mp3file import read_mp3
from audionews.audio.tags import mp3_duration, read_chapters
from audionews.render.briefing import BriefingBuilder, BriefingError, BriefingOutput
from audionews.render.briefing_text import (
    BriefingInput,
    Story,
    briefing_title,
    content_key,
    opening_text,
)
from audionews.render.renderer import Renderer, RenderInput, RenderOutput
from audionews.render.storage import Storage
from audionews.tts import Clip, EngineChain, create
from tests.audio.test_join import ffmpeg_decode
from tests.render.test_transcripts import parse_vtt

RATE = 22050
DAY = dt.date(2025, 12, 2)
LONG = (
    "Die Tarifparteien verhandeln seit Wochen über Löhne, Arbeitszeiten und Zulagen, und ein "
    "Ende ist nach Angaben beider Seiten nicht in Sicht."
)
ARTICLES = (
    (
        "Bahn: Der Streik geht weiter",
        "Der Streik geht weiter. " + LONG,
        "Pendler planen um.\n\nMehr.",
    ),
    ("Energiepreise sinken", "Die Preise sinken deutlich. Das freut viele Haushalte.", ""),
    ("Wetter am Wochenende", "Es wird sonnig und mild.", "Am Sonntag regnet es."),
)


class Counting:
    """An engine that counts what it is asked to say (cache hits never reach it)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.name, self.voice = engine.name, engine.voice
        self.max_concurrency, self.sample_rate = engine.max_concurrency, engine.sample_rate
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def cache_options(self) -> dict[str, Any]:
        return dict(self.engine.cache_options())

    def synthesize(self, text: str) -> Clip:
        with self.lock:
            self.calls.append(text)
        clip: Clip = self.engine.synthesize(text)
        return clip


@dataclass
class Day:
    storage: Storage
    engine: Counting
    renderer: Renderer
    renders: list[RenderOutput]
    stories: list[Story]
    output: BriefingOutput
    first_calls: list[str]

    def path(self, name: str) -> Path:
        return self.storage.path(name)


def story(number: int, output: RenderOutput, title: str) -> Story:
    return Story(
        number, f"artikel-{number}", title, output.files["episode"], output.chapters, output.cues
    )


def build(day: Day | Any, stories: list[Story], **options: Any) -> BriefingOutput:
    builder = BriefingBuilder(day.storage, day.renderer, bitrate_kbps=64, **options)
    return builder.build(BriefingInput(DAY, tuple(stories)))


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    storage = Storage(tmp_path_factory.mktemp("briefing"))
    engine = Counting(create("espeak", config.defaults()))
    renderer = Renderer(storage, EngineChain(engine, None, 300))  # type: ignore[arg-type]
    renders, stories = [], []
    for number, (title, summary, body) in enumerate(ARTICLES):
        output = renderer.render(RenderInput(f"artikel-{number}", title, summary, body, DAY))
        renders.append(output)
        stories.append(story(number, output, title))
    engine.calls.clear()
    holder = Day(storage, engine, renderer, renders, stories, None, [])  # type: ignore[arg-type]
    holder.output = build(holder, stories)
    holder.first_calls = list(engine.calls)
    yield holder


def decoded(path: Path) -> np.ndarray:
    samples, warnings = ffmpeg_decode(path, RATE)
    assert not warnings, warnings
    return samples


def test_only_the_opening_and_closing_are_spoken(day: Day) -> None:
    said = " ".join(day.first_calls)
    assert "Dienstag" in said and "Das waren die Nachrichten" in said
    assert "Drei Meldungen." in said
    for title, summary, _ in ARTICLES:
        assert title not in said and summary.split(".")[0] not in said
    assert day.output.synthesized == len(day.first_calls) > 0
    assert day.output.engine == "espeak"
    # Built again: nothing spoken, nothing encoded, the same files.
    day.engine.calls.clear()
    again = build(day, day.stories)
    assert day.engine.calls == [] and again.synthesized == 0 and again.encoded == 0
    assert again.files == day.output.files


def test_each_article_plays_its_own_episode_frames_at_its_chapter(day: Day) -> None:
    audio = decoded(day.path(day.output.files["audio"]))
    chapters = [c for c in day.output.chapters if c["slug"]]
    assert [c["slug"] for c in chapters] == [s.slug for s in day.stories]
    for chapter, output in zip(chapters, day.renders, strict=True):
        episode = decoded(day.path(output.files["episode"]))
        end = output.chapters.get("body", output.durations["episode"])
        start = chapter["sample"]
        assert day.output.rate == RATE and abs(start / RATE - chapter["start"]) <= 0.0005
        # The episode's lead-in of silence stays out of the briefing: its title chunk on.
        lead = round(output.chapters["title"] * RATE / 576) * 576  # whole frames
        length = round(end * RATE) - lead
        # Up to two frames before the seam: nearer, the next chunk's first frames (another
        # article's title here, the body there) reach into the pause as MP3 overlap does.
        stop = length - 2 * 1152
        ours, theirs = audio[start : start + stop], episode[lead : lead + stop]
        # Sample-exact: the same decoded samples, not merely a similar sound nearby.
        edge = round(0.03 * RATE)  # the decoders' overlap at the seams, in silence
        difference = np.abs(ours[edge:] - theirs[edge:]).max()
        assert difference < 8 / 32768, (chapter["slug"], difference)
        shifted = np.abs(audio[start + 1 : start + 1 + stop][edge:] - theirs[edge:])
        assert shifted.max() > 100 * max(difference, 1 / 32768)


def _db(window: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(window**2))) if len(window) else 0.0
    return 20 * np.log10(max(rms, 1e-9))


def test_transcript_cues_are_where_speech_starts_and_ends(day: Day) -> None:
    audio = decoded(day.path(day.output.files["audio"]))
    vtt = parse_vtt(day.path(day.output.files["transcript_vtt"]).read_text("utf-8"))
    document = json.loads(day.path(day.output.files["transcript_json"]).read_bytes())
    assert [(s["startTime"], s["endTime"]) for s in document["segments"]] == [
        (pytest.approx(start, abs=1e-9), pytest.approx(end, abs=1e-9)) for start, end, _ in vtt
    ]
    texts = [" ".join(lines) for _, _, lines in vtt]
    assert texts[0].startswith("Die Nachrichten vom Dienstag")
    assert texts[-1].startswith("Das waren die Nachrichten")
    assert LONG in texts  # one cue for the sentence spoken in pieces
    for title, *_ in ARTICLES:
        assert title in texts
    ms = RATE // 1000
    for start, end, lines in vtt:
        a, b = round(start * RATE), round(end * RATE)
        # Silence just before and after each sentence, speech inside it.
        if a > 40 * ms:
            assert _db(audio[a - 40 * ms : a - 2 * ms]) < -55, (start, lines)
        assert _db(audio[b + 2 * ms : b + 40 * ms]) < -50, (end, lines)
        assert _db(audio[a : a + 60 * ms]) > -35, (start, lines)
        loudest = max(
            _db(audio[i : i + 20 * ms]) for i in range(a, max(a + 1, b - 20 * ms), 10 * ms)
        )
        assert loudest > -30, (start, lines)
    starts = [start for start, _, _ in vtt]
    assert starts == sorted(starts)


def test_article_cues_are_the_renders_own_shifted_by_the_exact_start(day: Day) -> None:
    chapters = [c for c in day.output.chapters if c["slug"]]
    for number, (chapter, output) in enumerate(zip(chapters, day.renders, strict=True)):
        section = f"story-{number + 1}"
        ours = [c for c in day.output.cues if c["section"] == section]
        theirs = [c for c in output.cues if c["section"] in ("title", "summary")]
        assert [c["display"] for c in ours] == [c["display"] for c in theirs]
        # the episode's lead-in (before its title chapter, in whole ms) is not in the briefing
        lead = output.chapters["title"]
        offset = chapter["sample"] / RATE - lead
        for mine, render in zip(ours, theirs, strict=True):
            assert mine["start"] == round(offset + render["start"], 3)
            assert mine["end"] == round(offset + render["end"], 3)


def test_chapters_in_json_id3_and_output_agree_and_cover_the_file(day: Day) -> None:
    mp3 = day.path(day.output.files["audio"])
    duration = mp3_duration(mp3)
    assert day.output.duration == round(duration, 3)
    assert abs(MP3(mp3).info.length - duration) < 0.1  # type: ignore[union-attr]
    chapters = day.output.chapters
    assert [c["title"] for c in chapters] == [
        "Einleitung",
        *(title for title, *_ in ARTICLES),
        "Zum Schluss",
    ]
    assert chapters[0]["start"] == 0 and chapters[-1]["end"] == day.output.duration
    for first, second in itertools.pairwise(chapters):
        assert first["end"] == second["start"] > first["start"]
    document = json.loads(day.path(day.output.files["chapters"]).read_bytes())
    assert document["version"] == "1.2.0" and document["title"] == briefing_title(DAY)
    assert [(c["title"], c["startTime"], c["endTime"]) for c in document["chapters"]] == [
        (c["title"], c["start"], c["end"]) for c in chapters
    ]
    frames = read_chapters(mp3)
    assert [(f.title, f.start, f.end) for f in frames] == [
        (c["title"], c["start"], c["end"]) for c in chapters
    ]
    # The transcript's title cue of each article starts its chapter (a few ms of silence).
    vtt = parse_vtt(day.path(day.output.files["transcript_vtt"]).read_text("utf-8"))
    for chapter in chapters[1:-1]:
        (cue,) = [start for start, _, lines in vtt if " ".join(lines) == chapter["title"]]
        assert 0 <= cue - chapter["start"] < 0.05


def test_the_file_is_one_gapless_mp3_with_its_tags(day: Day) -> None:
    mp3 = day.path(day.output.files["audio"])
    layout = read_mp3(mp3)
    layout.span()  # every frame of ours, none missing
    layout.check_crc()
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Die Nachrichten vom Dienstag, 2. Dezember"
    assert str(tags["TDRC"]) == "2025-12-02"
    assert mp3.name.startswith("nachrichten-2025-12-02-") and mp3.name.endswith("-briefing.mp3")
    assert day.output.size == mp3.stat().st_size
    # Pauses between the parts: about the section pause, also after an article without a body.
    vtt = parse_vtt(day.path(day.output.files["transcript_vtt"]).read_text("utf-8"))
    titles = {title for title, *_ in ARTICLES}
    for (_, before_end, _), (start, _, lines) in itertools.pairwise(vtt):
        if " ".join(lines) in titles:
            assert 1.1 < start - before_end < 1.35, (start, lines)


def test_the_opening_counts_the_articles_and_the_cover_is_embedded(day: Day) -> None:
    assert opening_text(DAY, 1).endswith("Eine Meldung.")
    assert opening_text(DAY, 12).endswith("Zwölf Meldungen.")
    one = build(day, day.stories[1:2], cover=b"\x89PNG\r\n\x1a\n fake")
    tags = ID3(day.path(one.files["audio"]))
    (apic,) = tags.getall("APIC")
    assert apic.mime == "image/png" and apic.type == 3 and apic.data.endswith(b"fake")
    texts = [
        " ".join(lines)
        for _, _, lines in parse_vtt(day.path(one.files["transcript_vtt"]).read_text("utf-8"))
    ]
    assert texts[1] == "Eine Meldung."


def test_a_damaged_episode_is_left_out_and_the_others_stay(day: Day, tmp_path: Path) -> None:
    damaged = day.storage.path(day.stories[0].episode).read_bytes()
    name = "kaputt-000000000000-episode.mp3"
    day.storage.path(name).write_bytes(damaged[: len(damaged) // 3])
    broken = replace(day.stories[0], slug="kaputt", episode=name)
    cut = build(day, [broken, *day.stories[1:]])
    assert cut.left_out == ["kaputt"]
    assert [c["slug"] for c in cut.chapters if c["slug"]] == [s.slug for s in day.stories[1:]]
    missing = replace(day.stories[2], slug="weg", episode="weg-000000000000-episode.mp3")
    with pytest.raises(BriefingError, match="brauchbaren Ton"):
        build(day, [missing])


def test_an_article_at_another_bit_rate_is_encoded_again_in_place(day: Day) -> None:
    slow = Renderer(day.storage, EngineChain(day.engine, None, 300), bitrate_kbps=48)  # type: ignore[arg-type]
    title, summary, body = ARTICLES[2]
    output = slow.render(RenderInput("artikel-48", title, summary, body, DAY))
    odd = story(9, output, title)
    mixed = build(day, [*day.stories[:2], odd])
    assert mixed.encoded == 1  # that article, once; the rest came as it was
    assert build(day, [*day.stories[:2], odd]).encoded == 0
    audio = decoded(day.path(mixed.files["audio"]))
    chapter = mixed.chapters[3]
    assert chapter["slug"] == "artikel-9"
    episode = decoded(day.path(output.files["episode"]))
    start, length = chapter["sample"], round(output.chapters["body"] * RATE)
    ours, theirs = audio[start : start + length], episode[:length]
    # Encoded twice it is not the same samples, but the same sound at the same place.
    lags = range(-40, 41)
    scores = [float(np.dot(np.roll(ours, lag), theirs)) for lag in lags]
    assert lags[int(np.argmax(scores))] == 0


def test_the_content_key_follows_what_the_briefing_is_made_of(day: Day) -> None:
    item = BriefingInput(DAY, tuple(day.stories))
    key = content_key(item, {"MP3_BITRATE": 64})
    assert key == content_key(BriefingInput(DAY, tuple(day.stories)), {"MP3_BITRATE": 64})
    assert key != content_key(BriefingInput(DAY, tuple(day.stories[::-1])), {"MP3_BITRATE": 64})
    assert key != content_key(item, {"MP3_BITRATE": 96})
    renamed = replace(day.stories[0], episode="anders-000000000000-episode.mp3")
    assert key != content_key(BriefingInput(DAY, (renamed, *day.stories[1:])), {"MP3_BITRATE": 64})


def test_the_briefing_starts_with_the_lead_in_and_its_pauses_keep_their_length(day: Day) -> None:
    """Issue 14, item 2: the briefing's own lead-in, and none of the episodes' inside it."""
    import pyloudnorm

    audio = decoded(day.path(day.output.files["audio"]))
    first_word = np.flatnonzero(np.abs(audio) > 0.01)[0] / RATE
    assert 0.25 <= first_word <= 0.4, first_word
    assert day.output.cues[0]["start"] == pytest.approx(first_word, abs=0.03)
    # Between the parts: the section pause, not the pause plus an episode's lead-in.
    pause = day.renderer.pauses.section_ms / 1000
    for before, after in itertools.pairwise(day.output.cues):
        if before["section"] != after["section"]:
            assert after["start"] - before["end"] < pause + 0.15, (before, after)
    loudness = pyloudnorm.Meter(RATE).integrated_loudness(audio)
    assert abs(loudness - day.renderer.target_lufs) <= 0.3, loudness
