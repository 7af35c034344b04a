"""The daily briefing: one MP3 of a news day, joined from the articles' own audio.

    opening · article 1 (its title and „In Kürze“) · article 2 · … · closing

Each article's part is the start of its published episode MP3 up to the chunk where the body
begins (the whole episode when it has none): the very MP3 chunks its render encoded for the
title and the summary, copied frame by frame (`audio/mp3file.py`), so nothing of an article is
synthesized or encoded again. Only the opening and the closing are spoken (through the segment
cache) and encoded (`Assembler`, cached chunks); where the pause after a part is short (an
episode without a body ends right after its last sentence), a cached chunk of silence makes
it up. The pieces join under one Info frame like a render's files (`join.write_spans`), and
every position is known in samples, so chapters and transcript are the real times.

An article rendered at another sample rate or bit rate than most of the day's (another engine,
a changed setting) is decoded and encoded once more, cached: MP3 frames of two formats cannot
share one file. No database and no Flask here: `jobs.briefing_job` feeds this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..audio.decode import decode_mp3
from ..audio.join import Span, chunk_span, encode_chunk, read_head, write_spans
from ..audio.mp3file import read_mp3
from ..audio.mp3frames import LAME_OVERHEAD, samples_per_frame
from ..audio.pcm import resample, samples_for
from ..audio.tags import Chapter, mp3_duration, write_chapters, write_tags
from ..speech import build_script
from .assemble import Assembler, MissingSegment
from .briefing_text import (
    BRIEFING_VERSION,
    BriefingInput,
    Story,
    closing_text,
    opening_text,
)
from .leveling import level
from .renderer import Renderer, RenderError
from .storage import Storage
from .transcripts import CHAPTERS_VERSION, clean_text, sentence_cues, to_json, to_vtt

log = logging.getLogger(__name__)

OPENING_CHAPTER = "Einleitung"
CLOSING_CHAPTER = "Zum Schluss"
# The sections of an article's episode that its briefing part holds.
STORY_SECTIONS = ("title", "summary")
FILES = {
    "audio": "briefing.mp3",
    "transcript_vtt": "briefing-transcript.vtt",
    "transcript_json": "briefing-transcript.json",
    "chapters": "briefing-chapters.json",
}


class BriefingError(RuntimeError):
    """The briefing could not be made; the message is a German sentence for editors."""


@dataclass
class BriefingOutput:
    files: dict[str, str]  # FILES key -> media name
    size: int
    duration: float
    # {"article": id or None, "slug": str or None, "title", "start", "end" (s), "sample"}
    # in playing order: the opening, the articles, the closing
    chapters: list[dict[str, Any]]
    rate: int
    cues: list[dict[str, Any]]  # per segment: section, sentence, display, start, end
    engine: str  # who spoke the opening and closing
    synthesized: int  # segments synthesized (opening and closing only, ever)
    encoded: int  # MP3 chunks encoded
    left_out: list[str] = field(default_factory=list)  # slugs whose audio was unusable
    # The cache entries it was made of, for the cache prune: {"segments": [...], "chunks": [...]}
    cache_keys: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Piece:
    """A stretch of the briefing: its frames and what plays where, relative to its start."""

    spans: list[Span]
    length: int  # samples from its start to the start of whatever follows (whole frames)
    pcm: int  # samples of its own audio (where the file would end after it)
    speech_end: int  # samples to the end of its last sentence
    cues: list[dict[str, Any]]  # section, sentence, display, start, end (seconds)
    rate: int
    bitrate: int
    source: str = ""  # the episode a story's piece comes from


class BriefingBuilder:
    def __init__(
        self,
        storage: Storage,
        renderer: Renderer,
        *,
        bitrate_kbps: int,
        artist: str = "audionews",
        album: str = "audionews",
        cover: bytes | None = None,
    ) -> None:
        self.storage = storage
        self.renderer = renderer
        self.bitrate_kbps = bitrate_kbps
        self.artist = artist
        self.album = album
        self.cover = cover
        self.encoded = 0
        self.used: dict[str, set[str]] = {"segments": set(), "chunks": set()}

    @property
    def pause_ms(self) -> int:
        """Return the pause between the parts: the one between an article's sections."""
        return self.renderer.pauses.section_ms

    def build(self, item: BriefingInput) -> BriefingOutput:
        """Make and publish the briefing of `item`; raise BriefingError when it cannot be made."""
        self.encoded = 0
        self.used = {"segments": set(), "chunks": set()}
        stories: list[tuple[Story, _Piece]] = []
        left_out = []
        for story in item.stories:
            piece = self._story(story)
            if piece is None:
                left_out.append(story.slug)
            else:
                stories.append((story, piece))
        if not stories:
            raise BriefingError("Keine Meldung des Tages hat brauchbaren Ton.")
        # The format most articles have (a tie: the configured bit rate): the fewest to convert.
        formats = Counter((piece.rate, piece.bitrate) for _, piece in stories)
        rate, bitrate = max(formats, key=lambda f: (formats[f], f[1] == self.bitrate_kbps))
        stories = [(story, self._converted(piece, rate, bitrate)) for story, piece in stories]
        engine, synthesized = "", 0
        spoken = []
        # The opening counts the articles the briefing really holds.
        texts = (opening_text(item.day, len(stories)), closing_text(item.day))
        for text, section in zip(texts, ("opening", "closing"), strict=True):
            piece, engine, count = self._spoken(text, section, rate, bitrate)
            spoken.append(piece)
            synthesized += count
        sequence: list[tuple[_Piece, Story | None, str]] = [(spoken[0], None, OPENING_CHAPTER)]
        sequence += [(piece, story, story.title) for story, piece in stories]
        sequence.append((spoken[1], None, CLOSING_CHAPTER))
        output = self._join(item, sequence, rate, bitrate)
        output.engine, output.synthesized, output.left_out = engine, synthesized, left_out
        output.encoded = self.encoded
        output.cache_keys = {kind: sorted(keys) for kind, keys in self.used.items()}
        return output

    # The pieces -------------------------------------------------------------------------

    def _story(self, story: Story) -> _Piece | None:
        """Return the title and summary of `story`'s episode, or None when it cannot be used."""
        if "summary" not in story.chapters:
            return None  # no „In Kürze“: nothing for the briefing
        try:
            mp3 = read_mp3(self.storage.path(story.episode))
            frame = mp3.frame_samples
            # The episode's lead-in of silence (its title starts a chunk after it) stays out:
            # the briefing has its own, and the pause between its parts is the pause alone.
            skip = self._frames_at(float(story.chapters.get("title", 0.0)), mp3.rate, frame)
            body = story.chapters.get("body")
            if body is None:
                span = mp3.span(skip=skip)
                mp3.check_crc()
                length, pcm = span.frames * frame, mp3.samples - skip * frame
            else:
                # The body starts a chunk: its chapter time is a whole number of frames.
                frames = self._frames_at(float(body), mp3.rate, frame)
                span = mp3.span(frames, skip)
                length = pcm = span.frames * frame
        except (OSError, ValueError) as exc:
            log.warning("briefing: the audio of %s is left out: %s", story.slug, exc)
            return None
        shift = round(skip * frame / mp3.rate, 3)  # as the cues are: in whole milliseconds
        cues = [
            dict(cue) | {"start": float(cue["start"]) - shift, "end": float(cue["end"]) - shift}
            for cue in story.cues
            if cue.get("section") in STORY_SECTIONS
        ]
        end = max((float(cue["end"]) for cue in cues), default=0.0)
        return _Piece(
            [span],
            length,
            pcm,
            min(pcm, round(end * mp3.rate)),
            cues,
            mp3.rate,
            mp3.bitrate_kbps,
            story.episode,
        )

    @staticmethod
    def _frames_at(seconds: float, rate: int, frame: int) -> int:
        """Return the frame a chunk starts at `seconds` (ValueError: not on a frame boundary)."""
        frames = round(seconds * rate / frame)
        if abs(frames * frame / rate - seconds) > 0.002:
            raise ValueError(f"{seconds} s does not start on a frame")
        return frames

    def _converted(self, piece: _Piece, rate: int, bitrate: int) -> _Piece:
        """Return `piece` at `rate` and `bitrate`: itself, or decoded and encoded again (cached)."""
        if (piece.rate, piece.bitrate) == (rate, bitrate):
            return piece
        recipe = {
            "version": BRIEFING_VERSION,
            "convert": piece.source,
            "samples": piece.pcm,
            "rate": rate,
            "bitrate": bitrate,
        }
        key = _hash(recipe)
        self.used["chunks"].add(key)
        path = self.storage.chunk_path(key)
        if not self.storage.has_chunk(key):
            source = self.storage.path(piece.source)
            pcm = decode_mp3(source.read_bytes(), piece.rate)[: 2 * piece.pcm]
            pcm = resample(pcm, piece.rate, rate)
            self.storage.write_chunk(key, encode_chunk(pcm, rate=rate, bitrate_kbps=bitrate))
            self.encoded += 1
        head = read_head(path)
        return _Piece(
            [chunk_span(path)],
            head.frames * samples_per_frame(rate),
            head.samples,
            round(piece.speech_end * rate / piece.rate),
            piece.cues,
            rate,
            bitrate,
            piece.source,
        )

    def _spoken(self, text: str, section: str, rate: int, bitrate: int) -> tuple[_Piece, str, int]:
        """Speak and encode `text` (cached); return its piece, the engine and what was new."""
        script = [
            replace(segment, section=section)
            for segment in build_script("", text, "", pauses=self.renderer.pauses)
        ]
        if not script:
            raise BriefingError("Die Ansage der Nachrichten ist leer.")
        # The briefing starts with the lead-in like every file; each part at the target loudness.
        lead_in = self.renderer.lead_in_ms if section == "opening" else 0
        assembler = Assembler(self.storage, rate, bitrate, lead_in_ms=lead_in)
        for attempt in (1, 2):
            # A segment found damaged as its PCM is read is synthesized again, once.
            try:
                engine, keys, synthesized = self.renderer.speak(
                    script, "hat die Ansage der Nachrichten gesprochen", verify=attempt == 2
                )
            except RenderError as exc:
                raise BriefingError(str(exc)) from None
            self.used["segments"].update(keys)
            try:
                if engine.sample_rate != rate:
                    keys = [
                        self._resampled(key, engine.sample_rate, rate, verify=attempt == 2)
                        for key in keys
                    ]
                    self.used["segments"].update(keys)
                plans = assembler.plan(script, keys)
                plans = level(assembler, {section: plans}, self.renderer.target_lufs)[section]
                self.encoded += assembler.encode_missing(plans)
                break
            except MissingSegment as exc:
                log.warning("briefing: %s", exc)
                if attempt == 2:
                    raise BriefingError(
                        "Ein Audio-Baustein der Ansage fehlt im Zwischenspeicher."
                    ) from None
        layout = assembler.place(plans)
        self.used["chunks"].update(layout.chunks)
        spans = [chunk_span(self.storage.chunk_path(key)) for key in layout.chunks]
        cues = [
            {
                "section": section,
                "sentence": segment.sentence,
                "display": segment.display,
                "start": start / rate,
                "end": end / rate,
            }
            for segment, start, end in zip(script, layout.starts, layout.ends, strict=True)
        ]
        length = sum(span.frames for span in spans) * samples_per_frame(rate)
        piece = _Piece(spans, length, layout.samples, layout.samples, cues, rate, bitrate)
        return piece, engine.name, synthesized

    def _resampled(self, key: str, from_rate: int, to_rate: int, *, verify: bool = False) -> str:
        """Return the cache key of segment `key` at `to_rate`, resampling it once.

        With `verify`, a cached resampled segment counts only when its PCM matches its digest.
        """
        target = _hash({"segment": key, "rate": to_rate})
        cached = (
            self.storage.read_segment(target) is not None
            if verify
            else self.storage.has_segment(target)
        )
        if not cached:
            pcm = self.storage.read_segment(key)
            if pcm is None:
                raise MissingSegment(f"the audio of segment {key} is damaged or gone")
            self.storage.write_segment(target, resample(pcm, from_rate, to_rate))
        return target

    def _silence(self, samples: int, rate: int, bitrate: int) -> _Piece | None:
        """Return a chunk of about `samples` of silence (None when that is under a frame)."""
        frame = samples_per_frame(rate)
        # A chunk of n samples plays n + LAME_OVERHEAD: its delay and padding are silent too.
        inner = round((samples - LAME_OVERHEAD) / frame) * frame
        if inner < frame:
            return None
        key = _hash(
            {"version": BRIEFING_VERSION, "silence": inner, "rate": rate, "bitrate": bitrate}
        )
        self.used["chunks"].add(key)
        path = self.storage.chunk_path(key)
        if not self.storage.has_chunk(key):
            chunk = encode_chunk(bytes(2 * inner), rate=rate, bitrate_kbps=bitrate)
            self.storage.write_chunk(key, chunk)
            self.encoded += 1
        span = chunk_span(path)
        return _Piece([span], span.frames * frame, inner, 0, [], rate, bitrate)

    # The file ---------------------------------------------------------------------------

    def _join(
        self,
        item: BriefingInput,
        sequence: list[tuple[_Piece, Story | None, str]],
        rate: int,
        bitrate: int,
    ) -> BriefingOutput:
        """Lay the pieces out in time; write and publish the MP3, its transcripts and chapters."""
        pause = samples_for(self.pause_ms, rate)
        spans: list[Span] = []
        cues: list[dict[str, Any]] = []
        marks: list[tuple[int, Story | None, str]] = []
        position = total = sentence_base = 0
        for number, (piece, story, title) in enumerate(sequence):
            marks.append((position, story, title))
            spans += piece.spans
            for cue in piece.cues:
                cues.append(
                    {
                        "section": cue["section"] if story is None else f"story-{number}",
                        "sentence": sentence_base + int(cue["sentence"]),
                        "display": cue["display"],
                        "start": round(position / rate + float(cue["start"]), 3),
                        "end": round(position / rate + float(cue["end"]), 3),
                    }
                )
            sentence_base += 1 + max((int(cue["sentence"]) for cue in piece.cues), default=0)
            if number == len(sequence) - 1:
                total = position + piece.pcm
                break
            position += piece.length
            silence = self._silence(pause - (piece.length - piece.speech_end), rate, bitrate)
            if silence is not None:
                spans += silence.spans
                position += silence.length
        duration_exact = total / rate
        chapters: list[dict[str, Any]] = []
        for number, (start, story, title) in enumerate(marks):
            end = marks[number + 1][0] / rate if number + 1 < len(marks) else duration_exact
            chapters.append(
                {
                    "article": story.article_id if story else None,
                    "slug": story.slug if story else None,
                    "title": clean_text(title),
                    "start": round(start / rate, 3),
                    "end": round(end, 3),
                    "sample": start,  # the exact start; "start" is rounded to ms
                    "url": story.url if story else "",
                }
            )
        temp = self.storage.temp_path(".mp3")
        try:
            write_spans(temp, spans, rate=rate, bitrate_kbps=bitrate, samples=total)
            write_tags(
                temp,
                title=item.title,
                artist=self.artist,
                album=self.album,
                date=item.day,
                language="deu",
                publisher=self.artist,
                cover=self.cover,
            )
            write_chapters(temp, [Chapter(c["title"], c["start"], c["end"]) for c in chapters])
            duration = round(mp3_duration(temp), 3)
            size = temp.stat().st_size
            stem = f"nachrichten-{item.day.isoformat()}"
            files = {"audio": self.storage.publish(temp, stem, FILES["audio"])}
        finally:
            temp.unlink(missing_ok=True)
        sentences = sentence_cues(cues, duration=duration)
        contents = {
            "transcript_vtt": to_vtt(sentences).encode("utf-8"),
            "transcript_json": to_json(sentences),
            "chapters": self._chapters_json(item, chapters),
        }
        for what, data in contents.items():
            files[what] = self.storage.write_bytes(data, stem, FILES[what])
        return BriefingOutput(
            files=files,
            size=size,
            duration=duration,
            chapters=[{k: v for k, v in c.items() if k != "url"} for c in chapters],
            rate=rate,
            cues=cues,
            engine="",
            synthesized=0,
            encoded=0,
        )

    def _chapters_json(self, item: BriefingInput, chapters: list[dict[str, Any]]) -> bytes:
        """Return the chapters in the Podcast Index JSON chapters format, with article links."""
        entries = []
        for chapter in chapters:
            entry = {
                "startTime": chapter["start"],
                "endTime": chapter["end"],
                "title": chapter["title"],
            }
            if chapter["url"]:
                entry["url"] = chapter["url"]
            entries.append(entry)
        document = {
            "version": CHAPTERS_VERSION,
            "title": clean_text(item.title),
            "podcastName": clean_text(self.album),
            "chapters": entries,
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _hash(recipe: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
