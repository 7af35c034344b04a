"""Build a published MP3 from cached MP3 chunks and place every segment in its timeline.

A file (summary, body or episode) is a run of stretches: a paragraph each, or part of a long
one, cut after a sentence once a stretch holds `MAX_STRETCH_SECONDS`. A stretch's PCM (its
segments with their pauses) is encoded alone into a chunk, cached under a hash of what it is
made of, and `audio.join` puts the chunks of a file together. So the summary, the body and
the episode share their chunks, and correcting one sentence re-encodes one stretch instead
of three whole files.

Cuts fall only inside pauses long enough to hold LAME's delay and padding (`min_seam`, 52-78
ms); between sections a shorter pause is lengthened to that. The silence after a stretch is
sized so the next stretch starts on a frame boundary: that pause is up to one frame (26 ms at
22 050 Hz) shorter than configured. Pauses inside a stretch are exact, and the cue times
report the real positions either way.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .audio.join import HEAD_SIZE, encode_chunk, read_head, write_joined
from .audio.mp3frames import LAME_OVERHEAD, lame_frames, samples_per_frame
from .audio.pcm import samples_for
from .speech import Segment
from .storage import Storage

log = logging.getLogger(__name__)

# Bump when the way chunks are made changes, so old cache entries are not reused.
CHUNK_VERSION = 1
MAX_STRETCH_SECONDS = 30.0
# Two ffmpeg processes keep both cores of a small server busy.
ENCODE_THREADS = 2


class MissingSegment(LookupError):
    """A segment's audio is not in the cache."""


@dataclass(frozen=True)
class Part:
    """One segment of a chunk and the silence after it (samples)."""

    key: str
    samples: int
    pause: int


@dataclass(frozen=True)
class ChunkPlan:
    """What one chunk is made of; `tail` is the silence the file wants after it (None: the end)."""

    key: str
    parts: tuple[Part, ...]
    tail: int | None

    @property
    def samples(self) -> int:
        """Return the length of the parts with their inner pauses (no tail)."""
        return sum(part.samples + part.pause for part in self.parts)


@dataclass(frozen=True)
class Layout:
    """A file's chunks in order and where each of its segments plays (samples)."""

    chunks: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    samples: int


class Assembler:
    def __init__(self, storage: Storage, rate: int, bitrate_kbps: int) -> None:
        self.storage = storage
        self.rate = rate
        self.bitrate_kbps = bitrate_kbps
        self.frame = samples_per_frame(rate)

    @property
    def min_seam(self) -> int:
        """Return the shortest pause (samples) a cut fits into: LAME's delay and padding."""
        return LAME_OVERHEAD + self.frame

    def plan(self, segments: Sequence[Segment], keys: Sequence[str]) -> list[ChunkPlan]:
        """Cut the segments of one file (in order, with their cache keys) into chunks."""
        try:
            lengths = [self.storage.segment_samples(key) for key in keys]
        except FileNotFoundError:
            raise MissingSegment("a segment's audio is missing from the cache") from None
        limit = MAX_STRETCH_SECONDS * self.rate
        plans: list[ChunkPlan] = []
        parts: list[Part] = []
        held = 0
        for number, (seg, key, length) in enumerate(zip(segments, keys, lengths, strict=True)):
            pause = samples_for(seg.pause_ms, self.rate)
            held += length + pause
            following = segments[number + 1] if number + 1 < len(segments) else None
            if following is None:
                plans.append(self._chunk([*parts, Part(key, length, 0)], None))
                break
            if following.section != seg.section:
                # Every section starts a chunk, so a section's own file plays its segments
                # exactly where they are in the episode (minus the section's start): its
                # transcript and chapters are the episode's, shifted. A pause too short to
                # cut into is lengthened to the shortest that fits.
                cut: int | None = max(pause, self.min_seam)
            elif following.paragraph != seg.paragraph or (
                held >= limit and following.sentence != seg.sentence
            ):
                cut = pause if pause >= self.min_seam else None
            else:
                cut = None
            if cut is not None:
                plans.append(self._chunk([*parts, Part(key, length, 0)], cut))
                parts, held = [], 0
            else:
                parts.append(Part(key, length, pause))
        return plans

    def _chunk(self, parts: list[Part], tail: int | None) -> ChunkPlan:
        recipe = {
            "version": CHUNK_VERSION,
            "rate": self.rate,
            "bitrate": self.bitrate_kbps,
            "parts": [[part.key, part.pause] for part in parts],
            "tail": tail,
        }
        key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
        return ChunkPlan(key, tuple(parts), tail)

    def _tail_silence(self, plan: ChunkPlan) -> int:
        """Return the silence to encode after the parts so the chunk ends on the wanted frame."""
        if plan.tail is None:
            return 0
        frames = (plan.samples + plan.tail) // self.frame  # round the pause down to a frame
        return frames * self.frame - LAME_OVERHEAD - plan.samples

    def encode_missing(self, plans: Iterable[ChunkPlan]) -> int:
        """Encode every planned chunk that is not cached yet; return how many were encoded."""
        todo = {plan.key: plan for plan in plans if not self._cached(plan.key)}
        if not todo:
            return 0
        with ThreadPoolExecutor(max_workers=ENCODE_THREADS) as pool:
            for _ in pool.map(self._encode, todo.values()):
                pass
        return len(todo)

    def _cached(self, key: str) -> bool:
        try:
            with open(self.storage.chunk_path(key), "rb") as handle:
                read_head(handle.read(HEAD_SIZE))
        except (FileNotFoundError, ValueError):
            return False  # missing, or not a chunk (a damaged cache): encode it again
        return True

    def _encode(self, plan: ChunkPlan) -> None:
        pieces = []
        for part in plan.parts:
            pcm = self.storage.read_segment(part.key)
            if pcm is None:
                raise MissingSegment("a segment's audio is missing from the cache")
            pieces += [pcm, bytes(2 * part.pause)]
        pieces.append(bytes(2 * self._tail_silence(plan)))
        chunk = encode_chunk(b"".join(pieces), rate=self.rate, bitrate_kbps=self.bitrate_kbps)
        self.storage.write_chunk(plan.key, chunk)

    def place(self, plans: Sequence[ChunkPlan]) -> Layout:
        """Return where every segment of the (encoded) chunks plays in the joined file."""
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for number, plan in enumerate(plans):
            with open(self.storage.chunk_path(plan.key), "rb") as handle:
                head = read_head(handle.read(HEAD_SIZE))
            if plan.tail is not None:
                wanted = lame_frames(plan.samples + self._tail_silence(plan), self.rate)
                if head.frames != wanted:  # another LAME build: that pause is off a little
                    log.warning("chunk %s: %d frames, not %d", plan.key, head.frames, wanted)
            offset = position
            for part in plan.parts:
                starts.append(offset)
                ends.append(offset + part.samples)
                offset += part.samples + part.pause
            if number == len(plans) - 1:
                return Layout(tuple(p.key for p in plans), tuple(starts), tuple(ends), offset)
            position += head.frames * self.frame
        raise ValueError("a file needs at least one chunk")

    def write(self, layout: Layout, path: Path) -> None:
        """Write the joined MP3 (no ID3 tag yet) of `layout` to `path`."""
        write_joined(
            path,
            [self.storage.chunk_path(key) for key in layout.chunks],
            rate=self.rate,
            bitrate_kbps=self.bitrate_kbps,
            samples=layout.samples,
        )
