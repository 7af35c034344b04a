"""What a DAISY book holds: its parts (an article, the spoken title of an edition) and clips.

A part is one MP3 with its sentences, each spoken between `start` and `end` (the render's cue
times). Its clips cover the file without gaps: each one runs from the middle of the pause
before its sentence to the middle of the pause after it (the first from 0, the last to the
end of the file). A player that plays one clip after the other so keeps every pause, and one
that ignores the MP3's encoder delay (some 50 ms) still hears each sentence whole.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..render.transcripts import CHAPTER_TITLES, clean_text

# The sections of a part, in playing order; "title" is the part's own h1.
SECTIONS = ("title", "summary", "body")
SECTION_LABELS = {key: CHAPTER_TITLES[key] for key in ("summary", "body")}
LINKS_LABEL = "Mehr Wissen"


@dataclass(frozen=True)
class Sentence:
    """One sentence as it is shown and where it is spoken (seconds in its part's MP3)."""

    section: str  # "title", "summary" or "body"
    paragraph: int  # within its section
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Clip:
    """The audio of one sentence in a book: milliseconds in its part's MP3."""

    begin_ms: int
    end_ms: int

    @property
    def begin(self) -> float:
        return self.begin_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000


@dataclass(frozen=True)
class Part:
    """One MP3 of a book with the sentences it speaks, in order.

    `stem` names its files in the book (<stem>.smil, .html, .mp3). `heading` is its NCC
    entry: the article's title, or the title of the book for an edition's spoken opening.
    """

    stem: str
    heading: str
    audio: Path
    duration: float  # seconds of audio in `audio`, as its decoder plays them
    sentences: tuple[Sentence, ...]
    links: tuple[tuple[str, str], ...] = ()  # „Mehr Wissen“: (title, url), text only
    slug: str = ""  # the article's, "" for the opening

    @property
    def duration_ms(self) -> int:
        """Return the playing time in whole milliseconds (rounded down: clips end inside)."""
        return math.floor(round(self.duration * 1_000_000) / 1000)

    def clips(self) -> list[Clip]:
        """Return one clip per sentence, covering the whole file without gaps or overlaps."""
        total = self.duration_ms
        starts = [min(total, round(s.start * 1000)) for s in self.sentences]
        ends = [min(total, round(s.end * 1000)) for s in self.sentences]
        bounds = [0]
        for number in range(1, len(self.sentences)):
            # The middle of the pause between two sentences, never before the last bound.
            bounds.append(max(bounds[-1], (ends[number - 1] + starts[number]) // 2))
        bounds.append(total)
        return [Clip(bounds[n], bounds[n + 1]) for n in range(len(self.sentences))]


@dataclass(frozen=True)
class Book:
    """A whole book: its metadata and its parts in reading order."""

    identifier: str
    title: str
    date: dt.date
    publisher: str
    narrator: str
    generator: str
    parts: tuple[Part, ...]
    language: str = "de"
    # The part that is the book's title (an edition's spoken opening); else the first article
    # is both the book's title and its first article (a book of one article).
    opening: Part | None = None

    @property
    def all_parts(self) -> tuple[Part, ...]:
        return (self.opening, *self.parts) if self.opening is not None else self.parts

    @property
    def duration_ms(self) -> int:
        return sum(part.duration_ms for part in self.all_parts)


def sentences_from_cues(
    cues: Iterable[Mapping[str, Any]], paragraphs: Mapping[int, int] | None = None
) -> tuple[Sentence, ...]:
    """Merge the render's per-segment cues (episode times) into one entry per sentence.

    A long sentence is spoken in pieces sharing its `sentence` number; its entry spans them
    all. `paragraphs` maps sentence numbers to their paragraph in the section (default 0).
    Sentences whose text is empty once cleaned are left out; their time goes to the clips
    around them.
    """
    merged: dict[int, list[Any]] = {}
    for cue in cues:
        if cue.get("section") not in SECTIONS:
            continue
        number = int(cue.get("sentence", cue.get("index", 0)))
        start, end = float(cue["start"]), float(cue["end"])
        entry = merged.get(number)
        if entry is None:
            merged[number] = [cue["section"], str(cue.get("display", "")), start, end]
        else:
            entry[2], entry[3] = min(entry[2], start), max(entry[3], end)
    result = []
    for number, (section, display, start, end) in sorted(
        merged.items(), key=lambda item: item[1][2]
    ):
        text = clean_text(display)
        if text:
            paragraph = (paragraphs or {}).get(number, 0)
            result.append(Sentence(section, paragraph, text, start, end))
    return tuple(result)
