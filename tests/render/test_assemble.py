"""Cutting files into MP3 chunks: where the cuts fall, what is shared, a damaged cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audionews.audio.decode import decode_mp3
from audionews.audio.mp3frames import LAME_OVERHEAD
from audionews.render.assemble import MAX_STRETCH_SECONDS, Assembler, ChunkPlan, MissingSegment
from audionews.render.renderer import Renderer, RenderInput, RenderOutput
from audionews.render.storage import Storage
from audionews.speech import DEFAULT_PAUSES, Pauses, Segment
from audionews.tts import Clip, EngineChain

RATE = 22050


def segment(index: int, section: str, paragraph: int, sentence: int, pause_ms: int) -> Segment:
    return Segment(index, section, paragraph, sentence, f"Satz {sentence}.", f"s{index}", pause_ms)


def cached(storage: Storage, segments: list[Segment], seconds: float) -> list[str]:
    """Put quiet noise of 0.5 to 2 x `seconds` per segment into the cache; return the keys."""
    keys = []
    for seg in segments:
        key = hashlib.sha256(seg.spoken.encode()).hexdigest()
        rng = np.random.default_rng(seg.index)
        noise = rng.normal(0, 300, int(seconds * RATE * rng.uniform(0.5, 2)))
        storage.write_segment(key, noise.astype("<i2").tobytes())
        keys.append(key)
    return keys


def gaps(assembler: Assembler, plans: list[ChunkPlan]) -> list[int]:
    """Return the silence (samples) between the last segment of each chunk and the next one."""
    result = []
    for plan, following in itertools.pairwise(plans):
        assert plan.tail is not None
        frames = (plan.samples + plan.tail) // assembler.frame  # as the chunk is encoded
        result.append(frames * assembler.frame - plan.samples + following.lead)
    return result


def article(paragraphs: int, sentences: int) -> list[Segment]:
    """Title, a summary paragraph and a body of `paragraphs` x `sentences` sentences."""
    script = [segment(0, "title", 0, 0, 1200)]
    script += [segment(1, "summary", 0, 1, 450), segment(2, "summary", 0, 2, 1200)]
    for paragraph in range(paragraphs):
        for number in range(sentences):
            last = number == sentences - 1
            index = len(script)
            script.append(segment(index, "body", paragraph, index, 800 if last else 450))
    return [*script[:-1], segment(len(script) - 1, "body", paragraphs - 1, len(script) - 1, 0)]


def test_cuts_fall_between_paragraphs_and_round_pauses_by_little(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = article(paragraphs=30, sentences=3)
    keys = cached(storage, script, 2.0)
    assembler = Assembler(storage, RATE, 64)
    plans = assembler.plan(script, keys)
    firsts = [script[keys.index(plan.parts[0].key)] for plan in plans]
    lasts = [script[keys.index(plan.parts[-1].key)] for plan in plans]
    # every section starts a chunk; the body is cut into several
    assert [seg.section for seg in firsts[:3]] == ["title", "summary", "body"]
    assert len(plans) > 8
    for plan, last, first, gap in zip(
        plans, lasts, firsts[1:], gaps(assembler, plans), strict=False
    ):
        # between paragraphs, or after a sentence once the chunk is long
        if (last.section, last.paragraph) == (first.section, first.paragraph):
            assert plan.samples >= MAX_STRETCH_SECONDS * RATE and last.sentence != first.sentence
        assert plan.tail is not None and gap <= plan.tail
        if first.section != last.section:
            assert gap == plan.tail, "the pause between sections is exact"
        else:
            assert plan.tail - gap <= assembler.max_error, "a paragraph pause loses <= 10 ms"
    # inside a chunk the pauses are kept as they are
    assert all(part.pause in (9922, 17640) for plan in plans for part in plan.parts[:-1])


def test_pauses_too_short_to_cut_into_stay_inside_a_chunk(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = [segment(0, "body", n, n, 30) for n in range(20)]  # 30 ms between paragraphs
    keys = cached(storage, script, 1.0)
    (plan,) = Assembler(storage, RATE, 64).plan(script, keys)
    assert [part.pause for part in plan.parts] == [662] * 19 + [0]


def test_a_long_paragraph_is_cut_after_a_sentence_not_inside_one(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    # one paragraph of 30 sentences, each in two pieces (piece pause 150 ms)
    script = []
    for number in range(60):
        last_piece = number % 2 == 1
        script.append(segment(number, "body", 0, number // 2, 450 if last_piece else 150))
    keys = cached(storage, script, 2.0)
    plans = Assembler(storage, RATE, 64).plan(script, keys)
    assert len(plans) > 1
    for plan in plans[:-1]:
        assert plan.samples / RATE >= MAX_STRETCH_SECONDS
        assert keys.index(plan.parts[-1].key) % 2 == 1, "cut after the last piece of a sentence"


def test_summary_body_and_episode_share_their_chunks(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = article(paragraphs=20, sentences=2)
    keys = cached(storage, script, 2.0)
    assembler = Assembler(storage, RATE, 64)
    episode = assembler.plan(script, keys)
    leads = assembler.section_leads(script, episode)
    assert leads["title"] == 0
    summary = assembler.plan(script[1:3], keys[1:3], leads)
    body = assembler.plan(script[3:], keys[3:], leads)
    assert [p.key for p in body] == [p.key for p in episode[-len(body) :]], "the episode's end"
    assert len(episode) == 1 + len(summary) + len(body)
    # the summary ends its own file but not the episode: that one chunk differs
    assert summary[0].key != episode[1].key
    assert (summary[0].lead, summary[0].parts) == (episode[1].lead, episode[1].parts)


class Tone:
    """An engine speaking every text as a tone whose pitch depends on the text."""

    name = "tone"
    voice = "sine"
    max_concurrency = 1
    sample_rate = RATE

    def cache_options(self) -> dict[str, str]:
        return {}

    def synthesize(self, text: str) -> Clip:
        if text.startswith("Stille"):
            return Clip(bytes(2 * RATE), RATE)  # trimmed to nothing
        freq = 200 + sum(map(ord, text)) % 600
        n = np.arange(int(0.4 * RATE))
        wave = np.sin(2 * np.pi * freq * n / RATE) * 0.3
        return Clip((wave * 32767).astype("<i2").tobytes(), RATE)


def render(
    storage: Storage, pauses: Pauses = DEFAULT_PAUSES, body: str = "Dritter Satz.\n\nVierter Satz."
) -> RenderOutput:
    item = RenderInput(
        slug="ton",
        title="Ein Titel",
        summary="Erster Satz. Zweiter Satz.",
        body=body,
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
    seam = (LAME_OVERHEAD + 576) / RATE
    sections = [cue["section"] for cue in out.cues]
    assert sections == ["title", "summary", "summary", "body", "body"]
    for cue, nxt in itertools.pairwise(out.cues):
        gap = nxt["start"] - cue["end"]
        if cue["section"] == nxt["section"]:
            assert gap == pytest.approx(ms / 1000, abs=0.001)  # too short to cut: exact
        else:
            assert gap == pytest.approx(seam, abs=0.001)  # lengthened to fit a cut
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
            # every file starts with the lead-in of silence: the section's start, less it
            offset = out.chapters[kind] - out.options["lead_in_s"]
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


@pytest.mark.parametrize(
    "body", ["Dritter Satz.\n\nStille.", "Stille.\n\nDritter Satz.", "Stille."]
)
def test_a_silent_paragraph_renders(tmp_path: Path, body: str) -> None:
    storage = Storage(tmp_path)
    out = render(storage, body=body)
    for kind, name in out.files.items():
        pcm = decode_mp3(storage.path(name).read_bytes(), RATE)
        assert len(pcm) / 2 / RATE == pytest.approx(out.durations[kind], abs=0.001)
    assert out.cues[-1]["end"] == pytest.approx(out.durations["episode"], abs=0.001)


def test_a_segment_that_changed_under_the_plan_is_caught(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    script = article(paragraphs=2, sentences=2)
    keys = cached(storage, script, 1.0)
    assembler = Assembler(storage, RATE, 64)
    before = assembler.plan(script, keys)
    # The same key with audio of another length (only a replaced entry can do this: stored
    # segments are never replaced unless damaged) makes other chunks, never the old ones
    # with wrong times.
    pcm = storage.read_segment(keys[4])
    assert pcm is not None
    storage.segment_path(keys[4]).unlink()
    storage.write_segment(keys[4], pcm + bytes(2000))
    after = assembler.plan(script, keys)
    assert [p.key for p in after] != [p.key for p in before]
    # Audio that changes between planning and encoding is refused, not encoded.
    storage.segment_path(keys[4]).unlink()
    storage.write_segment(keys[4], pcm + bytes(1000))
    with pytest.raises(MissingSegment):
        assembler.encode_missing(after)
    # So is audio damaged between planning and encoding (its digest no longer matches).
    path = storage.segment_path(keys[4])
    storage.segment_path(keys[4]).unlink()
    storage.write_segment(keys[4], pcm + bytes(2000))
    data = bytearray(path.read_bytes())
    data[-500:] = bytes(range(250)) * 2
    path.write_bytes(bytes(data))
    with pytest.raises(MissingSegment):
        assembler.encode_missing(after)


def test_a_segment_replaced_during_the_render_is_planned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without hard links a concurrent render may store a segment between this render's plan
    # and its encoding: the render plans once more with what is stored, and times stay right.
    storage = Storage(tmp_path)
    real = Assembler.encode_missing
    calls: list[int] = []

    def racing(self: Assembler, plans: Any, progress: Any = None) -> int:
        plans = list(plans)
        if not calls:
            key = plans[-1].parts[-1].key
            pcm = storage.read_segment(key)
            assert pcm is not None
            storage.segment_path(key).unlink()
            storage.write_segment(key, pcm + bytes(4410))  # 0.1 s longer, from elsewhere
        calls.append(1)
        return real(self, plans, progress)

    monkeypatch.setattr(Assembler, "encode_missing", racing)
    out = render(storage)
    assert len(calls) == 2
    pcm = decode_mp3(storage.path(out.files["episode"]).read_bytes(), RATE)
    assert len(pcm) / 2 / RATE == pytest.approx(out.cues[-1]["end"], abs=0.001)
