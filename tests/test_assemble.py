"""Cutting files into MP3 chunks: where the cuts fall, what is shared, a damaged cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

import numpy as np
import pytest

from audionews.assemble import MAX_STRETCH_SECONDS, Assembler
from audionews.audio.decode import decode_mp3
from audionews.audio.mp3frames import LAME_OVERHEAD
from audionews.render import Renderer, RenderInput, RenderOutput
from audionews.speech import DEFAULT_PAUSES, Pauses, Segment
from audionews.storage import Storage
from audionews.tts import Clip, EngineChain

RATE = 22050


def segment(index: int, section: str, paragraph: int, sentence: int, pause_ms: int) -> Segment:
    return Segment(index, section, paragraph, sentence, f"Satz {sentence}.", f"s{index}", pause_ms)


def cached(storage: Storage, segments: list[Segment], seconds: float) -> list[str]:
    """Put `seconds` of quiet noise per segment into the cache; return the keys."""
    keys = []
    for seg in segments:
        key = hashlib.sha256(seg.spoken.encode()).hexdigest()
        noise = np.random.default_rng(seg.index).normal(0, 300, int(seconds * RATE))
        storage.write_segment(key, noise.astype("<i2").tobytes())
        keys.append(key)
    return keys


def test_cuts_fall_between_paragraphs_and_only_into_long_pauses(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = [
        segment(0, "title", 0, 0, 1200),
        segment(1, "summary", 0, 1, 450),
        segment(2, "summary", 0, 2, 1200),
        segment(3, "body", 0, 3, 30),  # a paragraph pause too short to cut into
        segment(4, "body", 1, 4, 800),
        segment(5, "body", 2, 5, 0),
    ]
    keys = cached(storage, script, 1.0)
    plans = Assembler(storage, RATE, 64).plan(script, keys)
    assert [[keys.index(p.key) for p in plan.parts] for plan in plans] == [[0], [1, 2], [3, 4], [5]]
    assert [plan.tail for plan in plans] == [26460, 26460, 17640, None]  # samples of the pause
    # inside a chunk the pauses are kept as they are
    assert [part.pause for part in plans[1].parts] == [9922, 0]
    assert [part.pause for part in plans[2].parts] == [662, 0]


def test_a_long_paragraph_is_cut_after_a_sentence_not_inside_one(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    # one paragraph of 12 sentences, each in two pieces of 2 s (piece pause 150 ms)
    script = []
    for number in range(24):
        last_piece = number % 2 == 1
        script.append(segment(number, "body", 0, number // 2, 450 if last_piece else 150))
    keys = cached(storage, script, 2.0)
    plans = Assembler(storage, RATE, 64).plan(script, keys)
    assert len(plans) > 1
    for plan in plans[:-1]:
        seconds = plan.samples / RATE
        assert MAX_STRETCH_SECONDS <= seconds < MAX_STRETCH_SECONDS + 5
        assert keys.index(plan.parts[-1].key) % 2 == 1, "cut after the last piece of a sentence"


def test_summary_body_and_episode_share_their_chunks(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = [
        segment(0, "title", 0, 0, 1200),
        segment(1, "summary", 0, 1, 1200),
        segment(2, "body", 0, 2, 800),
        segment(3, "body", 1, 3, 0),
    ]
    keys = cached(storage, script, 1.0)
    assembler = Assembler(storage, RATE, 64)
    episode = [plan.key for plan in assembler.plan(script, keys)]
    summary = [plan.key for plan in assembler.plan(script[1:2], keys[1:2])]
    body = [plan.key for plan in assembler.plan(script[2:], keys[2:])]
    assert body == episode[2:], "the body file is the end of the episode"
    assert summary[0] != episode[1], "the summary ends its own file but not the episode"


class Tone:
    """An engine speaking every text as a tone whose pitch depends on the text."""

    name = "tone"
    voice = "sine"
    max_concurrency = 1
    sample_rate = RATE

    def cache_options(self) -> dict[str, str]:
        return {}

    def synthesize(self, text: str) -> Clip:
        freq = 200 + sum(map(ord, text)) % 600
        n = np.arange(int(0.4 * RATE))
        wave = np.sin(2 * np.pi * freq * n / RATE) * 0.3
        return Clip((wave * 32767).astype("<i2").tobytes(), RATE)


def render(storage: Storage, pauses: Pauses = DEFAULT_PAUSES) -> RenderOutput:
    item = RenderInput(
        slug="ton",
        title="Ein Titel",
        summary="Erster Satz. Zweiter Satz.",
        body="Dritter Satz.\n\nVierter Satz.",
        date=dt.date(2026, 11, 25),
    )
    return Renderer(storage, EngineChain(Tone(), None, 60), pauses=pauses).render(item)


def test_a_damaged_chunk_in_the_cache_is_encoded_again(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    first = render(storage)
    chunks = sorted(storage.segments_dir.glob("*/*.mp3"))
    assert len(chunks) == first.encoded > 0
    chunks[0].write_bytes(b"not a chunk")
    again = render(storage)
    assert again.encoded == 1
    assert again.files == first.files, "the same chunk again: the same files"


@pytest.mark.parametrize("ms", [1, 40])
def test_short_pauses_stay_inside_chunks_and_sections_still_start_one(
    tmp_path: Path, ms: int
) -> None:
    storage = Storage(tmp_path)
    pauses = Pauses(piece_ms=ms, sentence_ms=ms, paragraph_ms=ms, section_ms=ms)
    out = render(storage, pauses)
    frame, seam = 576 / RATE, (LAME_OVERHEAD + 576) / RATE
    sections = [cue["section"] for cue in out.cues]
    assert sections == ["title", "summary", "summary", "body", "body"]
    for cue, nxt in itertools.pairwise(out.cues):
        gap = nxt["start"] - cue["end"]
        if cue["section"] == nxt["section"]:
            assert gap == pytest.approx(ms / 1000, abs=0.001)  # too short to cut: exact
        else:
            assert seam - frame - 0.001 < gap <= seam + 0.001  # lengthened to fit a cut
    episode = decode_mp3(storage.path(out.files["episode"]).read_bytes(), RATE)
    assert len(episode) / 2 / RATE == pytest.approx(out.cues[-1]["end"], abs=0.001)


def test_section_files_play_their_segments_where_the_episode_does(tmp_path: Path) -> None:
    # The summary's transcript and chapters are the episode's, shifted by the summary's start.
    # A section pause too short to cut into, with paragraph pauses that are cut into.
    short_sections = Pauses(piece_ms=150, sentence_ms=450, paragraph_ms=800, section_ms=5)
    for pauses in (DEFAULT_PAUSES, short_sections):
        storage = Storage(tmp_path / str(pauses.section_ms))
        out = render(storage, pauses)
        for kind in ("summary", "body"):
            offset = out.chapters[kind]
            wanted = [
                (c["start"] - offset, c["end"] - offset) for c in out.cues if c["section"] == kind
            ]
            pcm = decode_mp3(storage.path(out.files[kind]).read_bytes(), RATE)
            data = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
            loud = np.flatnonzero(np.abs(data) > 1000) / RATE
            # the tones start and end where the shifted cues say (within the 5 ms fades)
            bounds = [-1.0] + [t for span in wanted for t in span] + [1e9]
            for number, (start, end) in enumerate(wanted):
                # look a little beyond the cue, at most halfway to the neighbouring cues
                before = min(0.02, (start - bounds[2 * number]) / 2)
                after = min(0.02, (bounds[2 * number + 3] - end) / 2)
                inside = loud[(loud > start - before) & (loud < end + after)]
                assert inside.min() == pytest.approx(start, abs=0.006), (kind, start)
                assert inside.max() == pytest.approx(end, abs=0.006), (kind, end)
