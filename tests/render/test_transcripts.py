"""Transcripts and chapters: sentence cues from segment cues, WebVTT/JSON files, ID3 chapters."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from audionews import config
from audionews.audio.tags import Chapter, mp3_duration, read_chapters
from audionews.render.renderer import Renderer, RenderInput
from audionews.render.storage import Storage
from audionews.render.transcripts import (
    Cue,
    chapter_list,
    chapters_json,
    sentence_cues,
    sidecar_key,
    to_json,
    to_vtt,
)
from audionews.tts import EngineChain, create
from audionews.tts.breaker import breaker_for

CUES: list[dict[str, Any]] = [
    {"section": "title", "sentence": 0, "display": "Titel", "start": 0.0, "end": 1.0},
    {"section": "summary", "sentence": 1, "display": "Kurz.", "start": 2.2, "end": 3.0},
    # One long sentence spoken in two pieces.
    {"section": "summary", "sentence": 2, "display": "Lang, sehr lang.", "start": 3.45, "end": 4.0},
    {"section": "summary", "sentence": 2, "display": "Lang, sehr lang.", "start": 4.15, "end": 5.0},
    {"section": "body", "sentence": 3, "display": "Der Rest.", "start": 6.2, "end": 7.5},
]
CHAPTERS = {"title": 0.0, "summary": 2.2, "body": 6.2}

VTT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def parse_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    """Return (start, end, lines as shown) of every cue of a WebVTT file (a strict reader)."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        match = VTT_TIME.match(lines[1])
        assert lines[0].isdigit() and match, block
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert all("<" not in line and "-->" not in line for line in lines[2:])
        cues.append((start, end, [html.unescape(line) for line in lines[2:]]))
    return cues


def test_pieces_of_a_sentence_merge_into_one_cue() -> None:
    cues = sentence_cues(CUES)
    assert [c.text for c in cues] == ["Titel", "Kurz.", "Lang, sehr lang.", "Der Rest."]
    assert cues[2] == Cue(3.45, 5.0, "Lang, sehr lang.")


def test_summary_cues_are_on_the_summary_files_timeline() -> None:
    cues = sentence_cues(CUES, kind="summary", chapters=CHAPTERS, duration=2.7)
    assert cues == [Cue(0.0, 0.8, "Kurz."), Cue(1.25, 2.7, "Lang, sehr lang.")]  # clamped


def test_vtt_escapes_markup_and_wraps_at_65() -> None:
    text = "A <b>&</b> --> " + " ".join(["Donaudampfschifffahrt"] * 8) + " " + "x" * 80
    vtt = to_vtt([Cue(0.0, 3661.5, text)])
    ((start, end, lines),) = parse_vtt(vtt)
    assert (start, end) == (0.0, 3661.5) and "01:01:01.500" in vtt
    assert "<b>" not in vtt and "&lt;b&gt;&amp;" in vtt
    assert all(len(line) <= 65 for line in lines)
    assert " ".join(lines).startswith("A <b>&</b> --> Donau")


def test_json_transcript_and_chapters_formats() -> None:
    data = json.loads(to_json(sentence_cues(CUES)))
    assert data["version"] == "1.0.0"
    assert data["segments"][0] == {"startTime": 0.0, "endTime": 1.0, "body": "Titel"}
    spans = chapter_list(CHAPTERS, 8.0)
    assert spans == [
        Chapter("Titel", 0.0, 2.2),
        Chapter("In Kürze", 2.2, 6.2),
        Chapter("Hauptartikel", 6.2, 8.0),
    ]
    doc = json.loads(chapters_json(spans, title="T\x01itel", podcast="p"))
    assert doc["version"] == "1.2.0" and doc["title"] == "Titel"
    assert [c["startTime"] for c in doc["chapters"]] == [0.0, 2.2, 6.2]
    assert chapter_list(CHAPTERS, 3.0, kind="summary") == [Chapter("In Kürze", 0.0, 3.0)]


def test_sidecar_keys() -> None:
    assert sidecar_key("episode", "chapters") == "chapters"
    assert sidecar_key("summary", "transcript_vtt") == "summary_transcript_vtt"
    with pytest.raises(ValueError):
        sidecar_key("episode", "mp3")


def test_render_publishes_transcripts_and_id3_chapters(tmp_path: Path) -> None:
    """A real espeak render: a long sentence in pieces becomes one cue; chapters in the MP3."""
    breaker_for("espeak").reset()
    storage = Storage(tmp_path)
    long_sentence = (
        "Dieser Satz ist absichtlich so lang, dass die Vertonung ihn in mehrere Stücke teilen "
        "muss, weil ein Stück höchstens hundert Zeichen haben darf, und doch bleibt er ein Satz."
    )
    output = Renderer(storage, EngineChain(create("espeak", config.defaults()), None, 300)).render(
        RenderInput(
            slug="lang",
            title="Ein Titel",
            summary="Kurz gesagt. " + long_sentence,
            body="Der Hauptteil.",
            date=dt.date(2025, 1, 2),
        )
    )
    pieces = [c for c in output.cues if c["display"] == long_sentence]
    assert len(pieces) >= 2
    for kind in ("episode", "summary"):
        vtt = (tmp_path / output.sidecars[sidecar_key(kind, "transcript_vtt")]).read_text("utf-8")
        cues = parse_vtt(vtt)
        texts = [" ".join(lines) for _, _, lines in cues]
        assert texts.count(long_sentence) == 1
        duration = mp3_duration(tmp_path / output.files[kind])
        assert abs(duration - output.durations[kind]) < 0.002
        starts = [start for start, _, _ in cues]
        assert starts == sorted(starts) and all(s <= e <= duration + 0.001 for s, e, _ in cues)
        chapters = json.loads(
            (tmp_path / output.sidecars[sidecar_key(kind, "chapters")]).read_text("utf-8")
        )["chapters"]
        frames = read_chapters(tmp_path / output.files[kind])
        assert [f.title for f in frames] == [c["title"] for c in chapters]
        for frame, chapter in zip(frames, chapters, strict=True):
            assert abs(frame.start - chapter["startTime"]) <= 0.001
            assert abs(frame.end - chapter["endTime"]) <= 0.001
    episode_titles = [f.title for f in read_chapters(tmp_path / output.files["episode"])]
    assert episode_titles == ["Titel", "In Kürze", "Hauptartikel"]
    # The summary file's sentence starts are the episode's minus where the summary begins.
    summary_vtt = parse_vtt(
        (tmp_path / output.sidecars["summary_transcript_vtt"]).read_text("utf-8")
    )
    episode_vtt = parse_vtt((tmp_path / output.sidecars["transcript_vtt"]).read_text("utf-8"))
    # the summary file starts with the lead-in too
    offset = output.chapters["summary"] - output.options["lead_in_s"]
    for start, _, lines in summary_vtt:
        (match,) = [s for s, _, ls in episode_vtt if ls == lines]
        assert abs(match - offset - start) <= 0.002
