"""Build a published MP3 from cached MP3 chunks and place every segment in its timeline.

A file (summary, body or episode) is a run of chunks of a paragraph or a few: the PCM of a
stretch of segments with their pauses, encoded alone, cached under a hash of what it is made
of; `audio.join` puts the chunks of a file together. The summary, the body and the episode
share their chunks, and correcting one sentence re-encodes a chunk or a few instead of three
whole files.

A chunk fills whole MP3 frames, so the next one starts on a frame boundary. Cuts fall only
into pauses that hold LAME's delay and padding (`min_seam`, 52-78 ms), and between
paragraphs (or after a sentence, once a stretch holds `MAX_STRETCH_SECONDS`) only where
rounding the pause down to that boundary shortens it by at most `MAX_SEAM_ERROR_MS`; other
pauses stay inside a chunk and are exact. Every section starts a chunk, so a section's own
file plays its segments exactly where the episode does, shifted by the section's start (its
transcript and chapters are the episode's). There the rounding is given back as silence at
the start of the next chunk, so the pause between sections is exact (a section pause too
short to cut into is lengthened to `min_seam`).

Every file starts with a lead-in of silence (`lead_in_ms`, about 0.3 s: players and speech
recognizers clip the first moments), a cached chunk of its own that every file shares, so cue
times move by exactly its length. Each file is then brought to the target loudness as a whole
by a gain that its chunks' keys include (`leveling.py`; the cached segments stay as they are).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..audio import SAMPLE_WIDTH
from ..audio.join import encode_chunk, read_head, write_joined
from ..audio.loudness import apply_gain
from ..audio.mp3frames import LAME_OVERHEAD, lame_frames, samples_per_frame
from ..audio.pcm import samples_for
from ..speech import Segment
from .storage import Storage

log = logging.getLogger(__name__)

# Bump when the way chunks are made changes, so old cache entries are not reused.
CHUNK_VERSION = 2
MAX_STRETCH_SECONDS = 30.0
MAX_SEAM_ERROR_MS = 10.0
# Two ffmpeg processes keep both cores of a small server busy.
ENCODE_THREADS = 2
LEAD_IN_MS = 300
Report = Callable[[int, int], None]


class MissingSegment(LookupError):
    """A segment's audio is not in the cache, or not what the plan was made from."""


@dataclass(frozen=True)
class Part:
    """One segment of a chunk and the silence after it (samples)."""

    key: str
    samples: int
    pause: int


@dataclass(frozen=True)
class ChunkPlan:
    """What one chunk is made of.

    `lead` samples of silence come first (the rounding of the cut before it, given back);
    `tail` is the pause the file wants after the chunk (None: the chunk ends the file);
    `gain` (hundredths of a dB) is the file's loudness correction, applied when encoding.
    A chunk of silence alone (a file's lead-in) has no parts.
    """

    key: str
    lead: int
    parts: tuple[Part, ...]
    tail: int | None
    gain: int = 0

    @property
    def samples(self) -> int:
        """Return the length of lead and parts with their inner pauses (no tail)."""
        return self.lead + sum(part.samples + part.pause for part in self.parts)


@dataclass(frozen=True)
class Layout:
    """A file's chunks in order and where they and each of its segments play (samples)."""

    chunks: tuple[str, ...]
    starts: tuple[int, ...]  # per segment
    ends: tuple[int, ...]  # per segment
    chunk_starts: tuple[int, ...]  # per segment: the start of the chunk that holds it
    samples: int


class Assembler:
    def __init__(
        self, storage: Storage, rate: int, bitrate_kbps: int, *, lead_in_ms: float = 0
    ) -> None:
        self.storage = storage
        self.rate = rate
        self.bitrate_kbps = bitrate_kbps
        self.frame = samples_per_frame(rate)
        self.max_error = samples_for(MAX_SEAM_ERROR_MS, rate)
        wanted = samples_for(lead_in_ms, rate) if lead_in_ms > 0 else 0
        # Whole frames, at least one more than LAME's delay and padding take.
        self.lead_in = max(round(wanted / self.frame) * self.frame, self.min_seam) if wanted else 0
        # True peaks of chunks' parts, by `content_key`, where `leveling` measured them.
        self.peaks: dict[str, float] = {}

    @property
    def min_seam(self) -> int:
        """Return the shortest pause (samples) a cut fits into: LAME's delay and padding."""
        return LAME_OVERHEAD + self.frame

    def plan(
        self,
        segments: Sequence[Segment],
        keys: Sequence[str],
        leads: Mapping[str, int] | None = None,
    ) -> list[ChunkPlan]:
        """Cut the segments of one file (in order, with their cache keys) into chunks.

        `leads` gives the silence before a section's first chunk; plan the episode first and
        pass its `section_leads`, so a section's own file is made of the episode's chunks.
        """
        try:
            lengths = [self.storage.segment_samples(key) for key in keys]
        except FileNotFoundError:
            raise MissingSegment("a segment's audio is missing from the cache") from None
        limit = MAX_STRETCH_SECONDS * self.rate
        plans: list[ChunkPlan] = []
        parts: list[Part] = []
        lead = (leads or {}).get(segments[0].section, 0) if segments else 0
        held = lead  # samples in the chunk so far
        for number, (seg, key, length) in enumerate(zip(segments, keys, lengths, strict=True)):
            pause = samples_for(seg.pause_ms, self.rate)
            end = held + length
            following = segments[number + 1] if number + 1 < len(segments) else None
            if following is None:
                plans.append(self._chunk(lead, [*parts, Part(key, length, 0)], None))
                break
            tail: int | None = None
            next_lead = 0
            if following.section != seg.section:
                tail = max(pause, self.min_seam)
                next_lead = (end + tail) % self.frame  # the rounding, given back
            else:
                may_cut = following.paragraph != seg.paragraph or (
                    end >= limit and following.sentence != seg.sentence
                )
                # Only where rounding the pause down to a frame costs it <= MAX_SEAM_ERROR_MS.
                fits = pause >= self.min_seam and (end + pause) % self.frame <= self.max_error
                tail = pause if may_cut and fits else None
            if tail is None:
                parts.append(Part(key, length, pause))
                held = end + pause
            else:
                plans.append(self._chunk(lead, [*parts, Part(key, length, 0)], tail))
                parts, lead, held = [], next_lead, next_lead
        return plans

    def section_leads(
        self, segments: Sequence[Segment], plans: Sequence[ChunkPlan]
    ) -> dict[str, int]:
        """Return the lead of each section's first chunk in `plans` (of `segments`)."""
        leads: dict[str, int] = {}
        index = 0
        for plan in plans:
            leads.setdefault(segments[index].section, plan.lead)
            index += len(plan.parts)
        return leads

    def _chunk(
        self, lead: int, parts: Sequence[Part], tail: int | None, gain: int = 0
    ) -> ChunkPlan:
        recipe: dict[str, object] = {
            "version": CHUNK_VERSION,
            "rate": self.rate,
            "bitrate": self.bitrate_kbps,
            "lead": lead,
            "parts": [[part.key, part.samples, part.pause] for part in parts],
            "tail": tail,
        }
        if gain and parts:
            recipe["gain"] = gain  # no gain: the key chunks had before gains existed
        key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
        return ChunkPlan(key, lead, tuple(parts), tail, gain if parts else 0)

    def lead_in_chunk(self) -> ChunkPlan | None:
        """Return the chunk of silence every file starts with (None: no lead-in)."""
        return self._chunk(0, [], self.lead_in) if self.lead_in else None

    def with_gain(self, plan: ChunkPlan, gain: int) -> ChunkPlan:
        """Return `plan` with the loudness correction `gain` (hundredths of a dB)."""
        if gain == plan.gain:
            return plan
        return self._chunk(plan.lead, plan.parts, plan.tail, gain)

    def plays(self, plan: ChunkPlan) -> int:
        """Return the samples from the start of `plan`'s PCM to the start of the next chunk's."""
        return plan.samples + self._tail_silence(plan) + LAME_OVERHEAD

    @staticmethod
    def content_key(plan: ChunkPlan) -> str:
        """Return a key for the PCM of `plan`'s parts (without lead, tail or gain)."""
        parts = [[part.key, part.samples, part.pause] for part in plan.parts]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def parts_pcm(self, plan: ChunkPlan) -> bytes:
        """Return the PCM of `plan`'s parts with their inner pauses (no lead, no tail)."""
        pieces = []
        for number, part in enumerate(plan.parts):
            pcm = self.storage.read_segment(part.key)
            if pcm is None or len(pcm) != SAMPLE_WIDTH * part.samples:
                raise MissingSegment(f"the audio of segment {part.key} is damaged, changed or gone")
            pieces.append(pcm)
            if number + 1 < len(plan.parts):
                pieces.append(bytes(SAMPLE_WIDTH * part.pause))
        return b"".join(pieces)

    def _tail_silence(self, plan: ChunkPlan) -> int:
        """Return the silence to encode after the parts so the chunk ends on the wanted frame."""
        if plan.tail is None:
            return 0
        frames = (plan.samples + plan.tail) // self.frame  # round the pause down to a frame
        return frames * self.frame - LAME_OVERHEAD - plan.samples

    def encode_missing(self, plans: Iterable[ChunkPlan], progress: Report | None = None) -> int:
        """Encode every planned chunk that is not cached (or damaged); return how many were."""
        todo = {plan.key: plan for plan in plans if not self.storage.has_chunk(plan.key)}
        if not todo:
            return 0
        with ThreadPoolExecutor(max_workers=ENCODE_THREADS) as pool:
            for done, _ in enumerate(pool.map(self._encode, todo.values()), start=1):
                if progress:
                    progress(done, len(todo))
        return len(todo)

    def _encode(self, plan: ChunkPlan) -> None:
        pcm = self.parts_pcm(plan)
        if plan.gain:
            peak = self.peaks.get(self.content_key(plan))
            pcm = apply_gain(pcm, self.rate, plan.gain / 100, peak=peak)
        # (The last part has no pause of its own: the tail is the pause after the chunk.)
        lead = bytes(SAMPLE_WIDTH * plan.lead)
        tail = bytes(SAMPLE_WIDTH * self._tail_silence(plan))
        whole = b"".join((lead, pcm, tail))  # one copy: a chunk may hold minutes of audio
        del pcm
        chunk = encode_chunk(whole, rate=self.rate, bitrate_kbps=self.bitrate_kbps)
        self.storage.write_chunk(plan.key, chunk)

    def place(self, plans: Sequence[ChunkPlan]) -> Layout:
        """Return where every segment of the (encoded) chunks plays in the joined file."""
        starts: list[int] = []
        ends: list[int] = []
        chunk_starts: list[int] = []
        position = 0
        for number, plan in enumerate(plans):
            head = read_head(self.storage.chunk_path(plan.key))
            offset = position + plan.lead
            for part in plan.parts:
                starts.append(offset)
                ends.append(offset + part.samples)
                chunk_starts.append(position)
                offset += part.samples + part.pause
            if number == len(plans) - 1:
                keys = tuple(p.key for p in plans)
                return Layout(keys, tuple(starts), tuple(ends), tuple(chunk_starts), offset)
            if head.frames != lame_frames(plan.samples + self._tail_silence(plan), self.rate):
                # another LAME build: that pause is off by the difference
                log.warning("chunk %s has %d frames, not as planned", plan.key, head.frames)
            position += head.frames * self.frame
        raise ValueError("a file needs at least one chunk")

    def write(self, layout: Layout, path: Path, progress: Report | None = None) -> None:
        """Write the joined MP3 (no ID3 tag yet) of `layout` to `path`."""
        write_joined(
            path,
            [self.storage.chunk_path(key) for key in layout.chunks],
            rate=self.rate,
            bitrate_kbps=self.bitrate_kbps,
            samples=layout.samples,
            progress=progress,
        )
