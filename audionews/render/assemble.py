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
times move by exactly its length. Each file is then brought to the target loudness as a whole:
`measure` streams its PCM through a BS.1770 meter and `level` gives its chunks a gain, in steps
of `GAIN_STEP_CDB`, that the chunk's key includes (the cached segments stay as they are). The
summary, the body and the episode share one gain wherever it suits all three, so they keep
sharing chunks; among the gains close enough to a file's own, the one whose chunks are already
cached wins, so a re-render after a small edit (which moves a file's loudness by hundredths of
a dB) re-encodes only the chunks it changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_WIDTH
from ..audio.encode import encoder_gain_db
from ..audio.join import encode_chunk, is_chunk, read_head, write_joined
from ..audio.loudness import FileMeter, apply_gain, granule_energies, limits, peak_of
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
# A file's gain comes in steps of 0.1 dB; any step that puts the file (as measured before
# encoding, the encoder's loss and the limiter counted in) within GAIN_TOLERANCE_CDB of the
# target may be used: files share gains, so they share chunks. The rest of the +-0.3 LU is
# for what the measure cannot know (MP3 coding, a few hundredths of a LU).
GAIN_STEP_CDB = 10
GAIN_TOLERANCE_CDB = 20
# Chunks' K-weighted energies, kept between renders of a process (about 12 hours of audio).
ENERGY_CACHE_GRANULES = 2_000_000
# A chunk the limiter acts on, measured at one gain, stands for gains up to 0.2 dB away.
LIMITED_REUSE_CDB = 20

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


class _EnergyCache:
    """A bounded, thread-safe memory of chunks' granule energies (by what the chunk holds)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._peaks: dict[str, float] = {}
        self._limited: dict[str, tuple[int, np.ndarray]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def peak(self, key: str) -> float | None:
        with self._lock:
            return self._peaks.get(key)

    def put_peak(self, key: str, peak: float) -> None:
        with self._lock:
            self._peaks[key] = peak
            while len(self._peaks) > 4 * len(self._items) + 64:
                self._peaks.pop(next(iter(self._peaks)))

    def limited(self, key: str) -> tuple[int, np.ndarray] | None:
        with self._lock:
            return self._limited.get(key)

    def put_limited(self, key: str, gain: int, energies: np.ndarray) -> None:
        with self._lock:
            self._limited[key] = (gain, energies)
            while len(self._limited) > len(self._items) + 64:
                self._limited.pop(next(iter(self._limited)))

    def put(self, key: str, energies: np.ndarray) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = energies
            self.size += energies.size
            while self.size > self.limit and self._items:
                _, old = self._items.popitem(last=False)
                self.size -= old.size


ENERGIES = _EnergyCache(ENERGY_CACHE_GRANULES)


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

    def _plays(self, plan: ChunkPlan) -> int:
        """Return the samples from the start of `plan`'s PCM to the start of the next chunk's."""
        return plan.samples + self._tail_silence(plan) + LAME_OVERHEAD

    @staticmethod
    def _content(plan: ChunkPlan) -> str:
        """Return a key for the PCM of `plan`'s parts (without lead, tail or gain)."""
        parts = [[part.key, part.samples, part.pause] for part in plan.parts]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def _parts_pcm(self, plan: ChunkPlan) -> bytes:
        """Return the PCM of `plan`'s parts with their inner pauses (no lead, no tail)."""
        pieces = []
        for number, part in enumerate(plan.parts):
            pcm = self.storage.read_segment(part.key)
            if pcm is None or len(pcm) != SAMPLE_WIDTH * part.samples:
                raise MissingSegment("a segment's audio changed or vanished during the render")
            pieces.append(pcm)
            if number + 1 < len(plan.parts):
                pieces.append(bytes(SAMPLE_WIDTH * part.pause))
        return b"".join(pieces)

    def _energies(self, plan: ChunkPlan, gain: int = 0) -> np.ndarray:
        """Return the K-weighted granule energies of `plan`'s parts at `gain` (remembered).

        A gain that the limiter does not act on scales the energies; where it does (the
        peaks would pass the ceiling), the chunk is measured as `_encode` will make it.
        """
        content = f"{self.rate}:{self._content(plan)}"
        found = ENERGIES.get(content)
        if found is None:
            pcm = self._parts_pcm(plan)
            found = granule_energies(pcm, self.rate)
            ENERGIES.put(content, found)
            ENERGIES.put_peak(content, peak_of(pcm))
        if not gain:
            return found
        factor = 10 ** (gain / 1000)  # energy: 10^(dB / 10), gain in hundredths of a dB
        peak = ENERGIES.peak(content)
        if peak is not None and not limits(peak, gain / 100):
            return found * factor
        # What the limiter takes changes little between gains a few tenths apart: one exact
        # measure per chunk serves the neighbouring gains, scaled (the search tries several).
        limited = ENERGIES.limited(content)
        if limited is None or abs(limited[0] - gain) > LIMITED_REUSE_CDB:
            pcm = apply_gain(self._parts_pcm(plan), self.rate, gain / 100, peak=peak)
            limited = (gain, granule_energies(pcm, self.rate))
            ENERGIES.put_limited(content, *limited)
        measured_at, energies = limited
        return energies * 10 ** ((gain - measured_at) / 1000)

    def measure(
        self,
        files: Mapping[str, Sequence[ChunkPlan]],
        gains: Mapping[str, int] | None = None,
        progress: Report | None = None,
    ) -> dict[str, float]:
        """Return the integrated loudness (LUFS) of each file's PCM, lead-in included.

        `gains` (per file, hundredths of a dB) as `_encode` will apply them. Streams: one
        chunk's PCM at a time, each read and filtered once however many files hold it (and
        not again while this process remembers its energies).
        """
        meters = {kind: FileMeter(self.rate) for kind in files}
        uses: dict[tuple[str, int], list[tuple[str, int]]] = {}
        order: list[tuple[tuple[str, int], ChunkPlan]] = []
        for kind, plans in files.items():
            gain = (gains or {}).get(kind, 0)
            position = self.lead_in
            for plan in plans:
                content = (self._content(plan), gain)
                if content not in uses:
                    uses[content] = []
                    order.append((content, plan))
                uses[content].append((kind, position + plan.lead))
                position += self._plays(plan)
            if plans:  # the file ends with its last chunk's PCM
                meters[kind].samples = position - self._plays(plans[-1]) + plans[-1].samples
        for done, ((_, gain), plan) in enumerate(order, start=1):
            energies = self._energies(plan, gain)
            length = plan.samples - plan.lead
            for kind, position in uses[(self._content(plan), gain)]:
                meters[kind].add(position, energies, length)
            if progress:
                progress(done, len(order))
        return {kind: meter.loudness() for kind, meter in meters.items()}

    def level(
        self,
        files: Mapping[str, Sequence[ChunkPlan]],
        target_lufs: float,
        progress: Report | None = None,
    ) -> dict[str, list[ChunkPlan]]:
        """Return the files' chunks with the gain that brings each to `target_lufs`, lead-in first.

        One gain for all files where one suits them all (they keep sharing chunks); among the
        gains that suit, the one whose chunks are cached already, then the closest. The gain
        makes up for what the MP3 encoder takes away (`encoder_gain_db`) and for what the
        limiter takes where it has to keep the peaks down.
        """
        lost = encoder_gain_db(self.rate, self.bitrate_kbps)
        kinds = [kind for kind in files if files[kind]]
        base = self.measure({kind: files[kind] for kind in kinds}, None, progress)

        def heard(kind: str, gain: int) -> float:
            """Return the loudness the decoded file `kind` will have at `gain`."""
            return self.measure({kind: files[kind]}, {kind: gain})[kind] + lost

        def step(value: float) -> int:
            return round(value * 100 / GAIN_STEP_CDB) * GAIN_STEP_CDB

        options: dict[str, dict[int, float]] = {}  # kind -> gain -> distance from the target
        for kind in kinds:
            if not math.isfinite(base[kind]):
                options[kind] = {0: 0.0}
                continue
            gain = step(target_lufs - base[kind] - lost)
            tried: dict[int, float] = {}
            for _ in range(4):  # the limiter takes a little back: a few rounds settle it
                off = target_lufs - heard(kind, gain)
                tried[gain] = abs(off)
                if tried[gain] <= GAIN_TOLERANCE_CDB / 100:
                    break
                gain += step(off) or (GAIN_STEP_CDB if off > 0 else -GAIN_STEP_CDB)
                if gain in tried:
                    break
            for near in (
                min(tried, key=tried.__getitem__) + d for d in (-GAIN_STEP_CDB, GAIN_STEP_CDB)
            ):
                if near not in tried:
                    tried[near] = abs(heard(kind, near) - target_lufs)
            fits = {g: d for g, d in tried.items() if d <= GAIN_TOLERANCE_CDB / 100}
            options[kind] = fits or {min(tried, key=tried.__getitem__): 0.0}

        def cached(chosen: Iterable[str], gain: int) -> int:
            keys = {self.with_gain(p, gain).key for kind in chosen for p in files[kind]}
            return sum(1 for key in keys if is_chunk(self.storage.chunk_path(key)))

        def best(chosen: list[str], gains: Iterable[int]) -> int:
            return max(
                sorted(gains),
                key=lambda g: (cached(chosen, g), -sum(options[k][g] for k in chosen)),
            )

        chosen: dict[str, int] = {}
        common = set.intersection(*(set(options[k]) for k in kinds)) if kinds else set()
        if common:
            chosen = dict.fromkeys(kinds, best(kinds, common))
        else:
            for kind in kinds:  # the episode first: the others take its gain where it suits
                shared = [g for g in chosen.values() if g in options[kind]]
                chosen[kind] = shared[0] if shared else best([kind], options[kind])
        lead_in = self.lead_in_chunk()
        return {
            kind: ([lead_in] if lead_in else [])
            + [self.with_gain(plan, chosen.get(kind, 0)) for plan in plans]
            for kind, plans in files.items()
        }

    def _tail_silence(self, plan: ChunkPlan) -> int:
        """Return the silence to encode after the parts so the chunk ends on the wanted frame."""
        if plan.tail is None:
            return 0
        frames = (plan.samples + plan.tail) // self.frame  # round the pause down to a frame
        return frames * self.frame - LAME_OVERHEAD - plan.samples

    def encode_missing(self, plans: Iterable[ChunkPlan], progress: Report | None = None) -> int:
        """Encode every planned chunk that is not cached yet; return how many were encoded."""
        todo = {plan.key: plan for plan in plans if not is_chunk(self.storage.chunk_path(plan.key))}
        if not todo:
            return 0
        with ThreadPoolExecutor(max_workers=ENCODE_THREADS) as pool:
            for done, _ in enumerate(pool.map(self._encode, todo.values()), start=1):
                if progress:
                    progress(done, len(todo))
        return len(todo)

    def _encode(self, plan: ChunkPlan) -> None:
        pcm = self._parts_pcm(plan)
        if plan.gain:
            peak = ENERGIES.peak(f"{self.rate}:{self._content(plan)}")
            pcm = apply_gain(pcm, self.rate, plan.gain / 100, peak=peak)
        if plan.parts:  # the pause after the last part is the tail's
            pcm += bytes(SAMPLE_WIDTH * plan.parts[-1].pause)
        lead = bytes(SAMPLE_WIDTH * plan.lead)
        tail = bytes(SAMPLE_WIDTH * self._tail_silence(plan))
        chunk = encode_chunk(lead + pcm + tail, rate=self.rate, bitrate_kbps=self.bitrate_kbps)
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
