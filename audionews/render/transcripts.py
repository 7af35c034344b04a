"""Transcripts (WebVTT, Podcast Index JSON) and chapters (JSON chapters 1.2.0, ID3) of a render.

Pure functions of the render's cues and section start times; `publish_sidecars` stores the
files content-named next to the MP3s. The full episode and the summary MP3 each get their own
set, on their own timeline: summary file time = episode time - chapters["summary"] + lead-in
(the summary file is the lead-in of silence every file starts with, then the same MP3 chunks
as the summary in the episode: see assemble.py).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..audio.tags import Chapter
from .storage import Storage

LINE_CHARS = 65
CHAPTER_TITLES = {"title": "Titel", "summary": "In Kürze", "body": "Hauptartikel"}
# The MP3 kinds that get transcripts and chapters (the ones in the feeds).
SIDECAR_KINDS = ("episode", "summary")
SIDECAR_FILES = {
    "transcript_vtt": "transcript.vtt",
    "transcript_json": "transcript.json",
    "chapters": "chapters.json",
}
TRANSCRIPT_JSON_VERSION = "1.0.0"
CHAPTERS_VERSION = "1.2.0"

# Characters XML 1.0 (and so RSS) cannot carry, and that have no business in a transcript.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Return `text` without characters XML cannot hold and with whitespace collapsed."""
    return " ".join(_INVALID.sub("", text).split())


def sidecar_key(kind: str, what: str) -> str:
    """Return the `Rendition.files` key of a transcript or chapters file of MP3 `kind`.

    `what` is one of SIDECAR_FILES; the episode's keys are bare ("chapters"), the summary's
    carry its kind ("summary_chapters").
    """
    if what not in SIDECAR_FILES:
        raise ValueError(f"unknown sidecar: {what!r}")
    return what if kind == "episode" else f"{kind}_{what}"


@dataclass(frozen=True)
class Cue:
    """One sentence of a transcript, in seconds of its MP3 file."""

    start: float
    end: float
    text: str


def offset_of(kind: str, chapters: Mapping[str, float], lead_in: float = 0.0) -> float:
    """Return where MP3 `kind` starts on the episode timeline (both start with `lead_in` s)."""
    if kind == "episode":
        return 0.0
    return float(chapters[kind]) - lead_in


def sentence_cues(
    cues: Iterable[Mapping[str, Any]],
    *,
    kind: str = "episode",
    chapters: Mapping[str, float] | None = None,
    duration: float | None = None,
    lead_in: float = 0.0,
) -> list[Cue]:
    """Merge the render's per-segment cues into one cue per sentence on the timeline of `kind`.

    Long sentences are spoken as several segments sharing `sentence`: their cue spans from the
    first piece's start to the last piece's end. Times are clamped to `duration`.
    """
    offset = offset_of(kind, chapters or {}, lead_in)
    merged: dict[int, list[Any]] = {}
    for cue in cues:
        if kind != "episode" and cue["section"] != kind:
            continue
        start, end = float(cue["start"]) - offset, float(cue["end"]) - offset
        entry = merged.get(cue["sentence"])
        if entry is None:
            merged[cue["sentence"]] = [start, end, cue["display"]]
        else:
            entry[0], entry[1] = min(entry[0], start), max(entry[1], end)
    result = []
    for start, end, display in sorted(merged.values(), key=lambda entry: entry[0]):
        text = clean_text(display)
        if not text:
            continue
        start, end = max(0.0, start), max(0.0, end)
        if duration is not None:
            start, end = min(start, duration), min(end, duration)
        result.append(Cue(round(start, 3), round(end, 3), text))
    return result


def chapter_list(
    chapters: Mapping[str, float], duration: float, *, kind: str = "episode"
) -> list[Chapter]:
    """Return the chapters of MP3 `kind`: Titel, In Kürze, Hauptartikel for the episode."""
    if kind != "episode":
        return [Chapter(CHAPTER_TITLES.get(kind, kind), 0.0, round(duration, 3))]
    starts = sorted(
        (float(start), section) for section, start in chapters.items() if section in CHAPTER_TITLES
    )
    result = []
    for number, (start, section) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else duration
        # The first chapter starts the file: the lead-in of silence before it belongs to it.
        start = 0.0 if number == 0 else min(start, duration)
        result.append(Chapter(CHAPTER_TITLES[section], round(start, 3), round(end, 3)))
    return result


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vtt_escape(line: str) -> str:
    # Escaping "<", ">" and "&" also keeps "-->" out of the cue text.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    """Break `text` into lines of at most `width` characters, at spaces where possible."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def to_vtt(cues: Sequence[Cue]) -> str:
    """Return a WebVTT file with one cue per sentence and lines of at most 65 characters."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        lines = "\n".join(_vtt_escape(line) for line in wrap(cue.text))
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{lines}")
    return "\n\n".join(blocks) + "\n"


def to_json(cues: Sequence[Cue]) -> bytes:
    """Return the transcript in the Podcast Index JSON format."""
    document = {
        "version": TRANSCRIPT_JSON_VERSION,
        "segments": [
            {"startTime": cue.start, "endTime": cue.end, "body": cue.text} for cue in cues
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def chapters_json(chapters: Sequence[Chapter], *, title: str, podcast: str) -> bytes:
    """Return the chapters in the Podcast Index JSON chapters format, version 1.2.0."""
    document = {
        "version": CHAPTERS_VERSION,
        "title": clean_text(title),
        "podcastName": clean_text(podcast),
        "chapters": [
            {"startTime": chapter.start, "endTime": chapter.end, "title": chapter.title}
            for chapter in chapters
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def publish_sidecars(
    storage: Storage,
    stem: str,
    *,
    title: str,
    podcast: str,
    cues: Sequence[Mapping[str, Any]],
    chapters: Mapping[str, float],
    durations: Mapping[str, float],
    lead_in: float = 0.0,
) -> dict[str, str]:
    """Store transcripts and chapters of every rendered SIDECAR_KINDS MP3; return key -> name."""
    files: dict[str, str] = {}
    for kind in SIDECAR_KINDS:
        if kind not in durations or (kind != "episode" and kind not in chapters):
            continue
        duration = durations[kind]
        sentences = sentence_cues(
            cues, kind=kind, chapters=chapters, duration=duration, lead_in=lead_in
        )
        prefix = "" if kind == "episode" else f"{kind}-"
        contents = {
            "transcript_vtt": to_vtt(sentences).encode("utf-8"),
            "transcript_json": to_json(sentences),
            "chapters": chapters_json(
                chapter_list(chapters, duration, kind=kind), title=title, podcast=podcast
            ),
        }
        for what, data in contents.items():
            files[sidecar_key(kind, what)] = storage.write_bytes(
                data, stem, prefix + SIDECAR_FILES[what]
            )
    return files
