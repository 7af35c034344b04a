"""Each published file at the target loudness: a gain per file, measured as a whole.

The cached segments are at the target already, but a joined file lands a few tenths low
(BS.1770's blocks that straddle its pauses count, and LAME plays 0.45 dB quieter than its
input). `measure` streams a file's PCM, one chunk at a time, through a BS.1770 meter
(`audio.loudness.FileMeter`); `level` gives its chunks a gain in steps of `GAIN_STEP_CDB` that
the chunk's key includes, applied when the chunk is encoded, with the limiter where peaks need
it. The summary, the body and the episode share one gain wherever it suits all three, so they
keep sharing chunks; among the gains that suit, the one whose chunks are cached already wins,
so a re-render after a small edit (which moves a file's loudness by hundredths of a dB)
re-encodes only the chunks it changed. A chunk's K-weighted energies are kept in memory by
what it holds, so a re-render filters only the chunks that changed.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..audio.encode import encoder_gain_db
from ..audio.join import is_chunk
from ..audio.loudness import FileMeter, apply_gain, granule_energies, limits, peak_of
from .assemble import Assembler, ChunkPlan, Report

# A file's gain comes in steps of 0.1 dB; any step that puts the file (as measured before
# encoding, the encoder's loss and the limiter counted in) within GAIN_TOLERANCE_CDB of the
# target may be used: files share gains, so they share chunks. The rest of the +-0.3 LU is
# for what the measure cannot know (MP3 coding, a few hundredths of a LU).
GAIN_STEP_CDB = 10
GAIN_TOLERANCE_CDB = 20
# Chunks' K-weighted energies, kept between renders of a process (about 3 hours of audio, 5 MB).
ENERGY_CACHE_GRANULES = 600_000
# A chunk the limiter acts on is measured at gains on a 0.2 dB grid and stands for the gains
# up to 0.1 dB away.
LIMITED_REUSE_CDB = 20


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
            while len(self._limited) > 3 * len(self._items) + 64:
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


def _energies(assembler: Assembler, plan: ChunkPlan, gain: int = 0) -> np.ndarray:
    """Return the K-weighted granule energies of `plan`'s parts at `gain` (remembered).

    A gain that the limiter does not act on scales the energies; where it does (the
    peaks would pass the ceiling), the chunk is measured as `_encode` will make it.
    """
    content = f"{assembler.rate}:{assembler.content_key(plan)}"
    found = ENERGIES.get(content)
    if found is None:
        pcm = assembler.parts_pcm(plan)
        found = granule_energies(pcm, assembler.rate)
        ENERGIES.put(content, found)
        ENERGIES.put_peak(content, peak_of(pcm))
    peak = ENERGIES.peak(content)
    if peak is None:  # forgotten meanwhile: measured again, so predictions never change
        peak = peak_of(assembler.parts_pcm(plan))
        ENERGIES.put_peak(content, peak)
    assembler.peaks[assembler.content_key(plan)] = peak
    if not gain:
        return found
    factor = 10 ** (gain / 1000)  # energy: 10^(dB / 10), gain in hundredths of a dB
    if not limits(peak, gain / 100):
        return found * factor
    # What the limiter takes changes little between gains a few tenths apart: the chunk is
    # measured exactly at the nearest multiple of LIMITED_REUSE_CDB and scaled from there (the
    # search tries several gains). A fixed grid, so the same render always predicts the same.
    anchor = round(gain / LIMITED_REUSE_CDB) * LIMITED_REUSE_CDB
    limited = ENERGIES.limited(f"{content}:{anchor}")
    if limited is None:
        pcm = apply_gain(assembler.parts_pcm(plan), assembler.rate, anchor / 100, peak=peak)
        limited = (anchor, granule_energies(pcm, assembler.rate))
        ENERGIES.put_limited(f"{content}:{anchor}", *limited)
    measured_at, energies = limited
    return energies * 10 ** ((gain - measured_at) / 1000)


def measure(
    assembler: Assembler,
    files: Mapping[str, Sequence[ChunkPlan]],
    gains: Mapping[str, int] | None = None,
    progress: Report | None = None,
) -> dict[str, float]:
    """Return the integrated loudness (LUFS) of each file's PCM, lead-in included.

    `gains` (per file, hundredths of a dB) as `_encode` will apply them. Streams: one
    chunk's PCM at a time, each read and filtered once however many files hold it (and
    not again while this process remembers its energies).
    """
    meters = {kind: FileMeter(assembler.rate) for kind in files}
    uses: dict[tuple[str, int], list[tuple[str, int]]] = {}
    order: list[tuple[tuple[str, int], ChunkPlan]] = []
    for kind, plans in files.items():
        gain = (gains or {}).get(kind, 0)
        position = assembler.lead_in
        for plan in plans:
            content = (assembler.content_key(plan), gain)
            if content not in uses:
                uses[content] = []
                order.append((content, plan))
            uses[content].append((kind, position + plan.lead))
            position += assembler.plays(plan)
        if plans:  # the file ends with its last chunk's PCM
            meters[kind].samples = position - assembler.plays(plans[-1]) + plans[-1].samples
    for done, ((_, gain), plan) in enumerate(order, start=1):
        energies = _energies(assembler, plan, gain)
        length = plan.samples - plan.lead
        for kind, position in uses[(assembler.content_key(plan), gain)]:
            meters[kind].add(position, energies, length)
        if progress:
            progress(done, len(order))
    return {kind: meter.loudness() for kind, meter in meters.items()}


def level(
    assembler: Assembler,
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
    lost = encoder_gain_db(assembler.rate, assembler.bitrate_kbps)
    kinds = [kind for kind in files if files[kind]]
    base = measure(assembler, {kind: files[kind] for kind in kinds}, None, progress)

    def heard(kind: str, gain: int) -> float:
        """Return the loudness the decoded file `kind` will have at `gain`."""
        return measure(assembler, {kind: files[kind]}, {kind: gain})[kind] + lost

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
        keys = {assembler.with_gain(p, gain).key for kind in chosen for p in files[kind]}
        return sum(1 for key in keys if is_chunk(assembler.storage.chunk_path(key)))

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
    lead_in = assembler.lead_in_chunk()
    return {
        kind: ([lead_in] if lead_in else [])
        + [assembler.with_gain(plan, chosen.get(kind, 0)) for plan in plans]
        for kind, plans in files.items()
    }
